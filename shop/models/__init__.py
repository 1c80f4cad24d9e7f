"""The shop's models, one module per seam, mirroring shop.services."""

from shop.models.accounts import (  # noqa: F401
    StoreAccount,
    StoreAccountEntry,
    Withdrawal,
    WithdrawalEvent,
)
from shop.models.base import (  # noqa: F401
    LEDGER_CAUSE_LABELS,
    LedgerEntryBase,
    LedgerEntryQuerySet,
    LedgerImmutableError,
    MerchantScopedQuerySet,
    ledger_manager,
    scoped_manager,
)
from shop.models.closure import (  # noqa: F401
    ClosureApplication,
    ClosureEvent,
)
from shop.models.deposits import (  # noqa: F401
    DepositAccount,
    DepositAdjustment,
    DepositAdjustmentRun,
    DepositEntry,
    DepositPayIn,
    DepositPayInEvent,
)
from shop.models.invoices import (  # noqa: F401
    Invoice,
    InvoiceEvent,
)
from shop.models.onboarding import (  # noqa: F401
    MerchantApplication,
    MerchantApplicationEvent,
    RejectionReasonTemplate,
)
from shop.models.orders import (  # noqa: F401
    Order,
    OrderEvent,
    OrderLine,
    TrackingEvent,
)
from shop.models.products import (  # noqa: F401
    Product,
    ProductEvent,
    ProductRevision,
    Sku,
)
from shop.models.ratings import (  # noqa: F401
    StoreRating,
)
from shop.models.stores import (  # noqa: F401
    CategoryInvitation,
    CategoryInvitationEvent,
    Store,
    StoreEvent,
    StoreProfileChange,
    StoreProfileChangeEvent,
)
