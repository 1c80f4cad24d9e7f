"""API authentication: DRF's token authentication, its lookup — run on every API call — a
statement built once (common.prepared)."""

from rest_framework import authentication

from common.prepared import prepared_query


@prepared_query(key="text")
def _token(key):
    from rest_framework.authtoken.models import Token

    return Token.objects.select_related("user").filter(key=key)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        found = _token.run(key=key)
        if not found or not found[0].user.is_active:
            # DRF's own lookup and its refusal (an unknown token, an inactive user)
            return super().authenticate_credentials(key)
        return found[0].user, found[0]
