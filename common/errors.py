class ApplicationError(Exception):
    """A business rule refused an action. The message is translated and shown to the user
    as is; `code` is stable for API clients and tests; `field` names the input at fault."""

    def __init__(self, message, *, code: str = "invalid", field: str | None = None, extra=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.extra = extra or {}

    def __str__(self):
        return str(self.message)
