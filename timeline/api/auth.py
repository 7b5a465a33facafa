"""API tokens: an editor creates, lists and revokes their own.

Tokens are django-rest-knox tokens: stored only as a hash, several per
editor (one per machine or script), each expiring after ``REST_KNOX``'s
TOKEN_TTL. The token itself is shown once, when it is created. Creating one
takes the password or the admin session: a token cannot create another, so a
stolen token dies with its TTL. The list says when each was last used.
"""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from timeline.api.authentication import TOKEN_PATTERN, TokenAuthentication
from timeline.api.parsers import JSONParser
from timeline.api.serializers import ErrorSerializer
from timeline.api.throttling import LoginRateThrottle
from timeline.api.write_serializers import StrictFieldsMixin


class CredentialsSerializer(StrictFieldsMixin, serializers.Serializer):
    username = serializers.CharField(required=False)
    password = serializers.CharField(required=False, trim_whitespace=False, write_only=True)

    def validate(self, attrs):
        if ("username" in attrs) != ("password" in attrs):
            missing = "password" if "username" in attrs else "username"
            raise serializers.ValidationError({missing: ["Send both username and password."]})
        return attrs


class TokenSerializer(serializers.Serializer):
    token_key = serializers.CharField(help_text="The token's first characters, to tell it apart.")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)
    current = serializers.BooleanField(help_text="Whether this request used this token.")
    last_used = serializers.DateTimeField(
        allow_null=True,
        help_text="When a request last authenticated with it, to the minute; null if never.",
    )


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`. Shown once.")


def _describe(token: AuthToken, request) -> dict:
    use = getattr(token, "use", None)
    return {
        "token_key": token.token_key,
        "created": token.created,
        "expiry": token.expiry,
        "current": isinstance(request.auth, AuthToken) and request.auth.pk == token.pk,
        "last_used": use.last_used_at if use else None,
    }


class TokenListView(APIView):
    """Create a token (with username and password, or signed in), list or revoke your tokens."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    parser_classes = [JSONParser]

    def get_throttles(self):
        # A password guess costs a request from the login budget as well.
        return [*super().get_throttles(), LoginRateThrottle()]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        summary="Your API tokens",
        responses={200: TokenSerializer(many=True), 401: ErrorSerializer},
    )
    def get(self, request):
        tokens = (
            request.user.auth_token_set.filter(expiry__gt=timezone.now())
            .select_related("use")
            .order_by("-created")
        )
        return Response([_describe(token, request) for token in tokens])

    @extend_schema(
        summary="Create an API token",
        description=(
            "Send your username and password as JSON, or call this signed in to the admin "
            "(session, with its CSRF token). A token alone cannot create another: a stolen "
            "token must not outlive its expiry. The token is in the response once; store it "
            "like a password."
        ),
        request=CredentialsSerializer,
        responses={
            201: NewTokenSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Missing field."),
            401: OpenApiResponse(ErrorSerializer, description="Wrong username or password."),
            403: OpenApiResponse(
                ErrorSerializer,
                description=(
                    "Too many tokens (revoke some); authenticated by a token alone; or a "
                    "session without its CSRF token."
                ),
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many password attempts or failed logins from this client.",
            ),
        },
    )
    def post(self, request):
        credentials = CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = request.user
        if "username" in credentials.validated_data:
            # django-axes records failures on Django's HttpRequest, which DRF wraps.
            user = authenticate(request._request, **credentials.validated_data)
            if user is None or not user.is_active:
                raise exceptions.AuthenticationFailed("Wrong username or password.")
        elif isinstance(request.auth, AuthToken):
            raise exceptions.PermissionDenied(
                "A token cannot create another token: send your username and password."
            )
        elif not user.is_authenticated:
            raise exceptions.NotAuthenticated("Send your username and password, or sign in.")
        live = user.auth_token_set.filter(expiry__gt=timezone.now())
        if live.count() >= knox_settings.TOKEN_LIMIT_PER_USER:
            raise exceptions.PermissionDenied(
                f"You already have {knox_settings.TOKEN_LIMIT_PER_USER} tokens; revoke one first."
            )
        instance, token = AuthToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        data = _describe(instance, request) | {"token": token}
        return Response(data, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})

    @extend_schema(
        summary="Revoke all your API tokens",
        operation_id="v1_auth_tokens_destroy_all",
        description=(
            "Every token of yours stops working at once, the one this request uses too "
            "(by session: send the CSRF token). Sign out everywhere after a token leaked."
        ),
        responses={
            204: OpenApiResponse(description="All your tokens are revoked."),
            401: ErrorSerializer,
            403: OpenApiResponse(ErrorSerializer, description="A session without its CSRF token."),
        },
    )
    def delete(self, request):
        request.user.auth_token_set.all().delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenDetailView(APIView):
    """Revoke one of your tokens (``current`` names the one this request uses)."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Revoke one of your API tokens",
        responses={204: None, 401: ErrorSerializer, 404: ErrorSerializer},
    )
    def delete(self, request, token_key: str):
        if token_key == "current":
            if not isinstance(request.auth, AuthToken):
                raise exceptions.NotFound("This request was not made with a token.")
            tokens = AuthToken.objects.filter(pk=request.auth.pk)
        elif not TOKEN_PATTERN.fullmatch(token_key):
            raise exceptions.NotFound("You have no token with this key.")
        else:
            tokens = request.user.auth_token_set.filter(token_key=token_key)
        deleted, _ = tokens.delete()
        if not deleted:
            raise exceptions.NotFound("You have no token with this key.")
        return Response(status=status.HTTP_204_NO_CONTENT)
