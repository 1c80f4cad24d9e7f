"""The promotions' models, one module per tool."""

from promotions.models.ads import (  # noqa: F401
    PromotionExtension,
    PromotionOrder,
    PromotionOrderEvent,
    PromotionResult,
    PromotionResultBatch,
)
from promotions.models.campaigns import (  # noqa: F401
    Campaign,
    CampaignEntry,
    CampaignEntryEvent,
    CampaignEntryItem,
    CampaignEvent,
)
from promotions.models.coupons import (  # noqa: F401
    Coupon,
    CouponBuyerCount,
    CouponClaim,
    CouponClaimEvent,
    CouponEvent,
)
from promotions.models.flash_sales import (  # noqa: F401
    FlashSale,
    FlashSaleBuyer,
    FlashSaleEvent,
    FlashSaleItem,
)
from promotions.models.lightning import (  # noqa: F401
    LightningListing,
    LightningListingEvent,
    LightningStore,
    LightningStoreEvent,
)
from promotions.models.live import (  # noqa: F401
    LiveCartItem,
    LiveSession,
    LiveSessionEvent,
    OrderSource,
    ShortVideo,
    ShortVideoEvent,
    ShortVideoProduct,
)
from promotions.models.selection import (  # noqa: F401
    Commission,
    CommissionEvent,
    ProductOffer,
    ProductOfferEvent,
)
