from typing import Literal, cast

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from eventhub.api.parsers import JSONParser
from eventhub.api.request import AuthenticatedRequest
from eventhub.realtime.streams import user_stream

from ..middleware import remember_language
from ..services import profile_get_or_create, profile_update


class MeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.id")
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField()
    photo = serializers.ImageField(allow_null=True)
    bio = serializers.CharField()
    company = serializers.CharField()
    job_title = serializers.CharField()
    interests = serializers.SerializerMethodField()
    language = serializers.CharField(help_text="A language code of LANGUAGES; empty: the browser's language.")
    stream = serializers.SerializerMethodField()

    def get_interests(self, profile) -> list[str]:
        return [interest.name for interest in profile.interests.all()]

    def get_stream(self, profile) -> str:
        return user_stream(profile.user_id)


class MeView(APIView):
    """The signed-in user and their profile."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        bio = serializers.CharField(max_length=2000, required=False, allow_blank=True)
        company = serializers.CharField(max_length=150, required=False, allow_blank=True)
        job_title = serializers.CharField(max_length=150, required=False, allow_blank=True)
        # A file, not DRF's ImageField (which lets Pillow try every format it knows): the service
        # checks the content and re-encodes it (eventhub/images.py).
        photo = serializers.FileField(
            required=False, help_text="A JPEG, PNG or WebP image (at most 10 MB, 40 megapixels); stored re-encoded."
        )
        interests = serializers.ListField(child=serializers.CharField(max_length=60), max_length=30, required=False)
        language = serializers.ChoiceField(
            choices=list(settings.LANGUAGES),
            required=False,
            allow_blank=True,
            help_text="A language code of LANGUAGES; empty: follow the browser.",
        )

    @extend_schema(responses=MeOutputSerializer)
    def get(self, request: AuthenticatedRequest) -> Response:
        profile = profile_get_or_create(user=request.user)
        return Response(MeOutputSerializer(profile, context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses=MeOutputSerializer)
    def patch(self, request: AuthenticatedRequest) -> Response:
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        profile = profile_update(user=request.user, **data.validated_data)
        response = Response(MeOutputSerializer(profile, context={"request": request}).data)
        if "language" in data.validated_data:
            _apply_language(request, response, profile.language)
        return response


def _apply_language(request: AuthenticatedRequest, response: Response, language: str) -> None:
    """A changed setting takes effect at once: in the session (accounts/middleware.py) and in the
    language cookie, which the app's ``/app/jsi18n.js`` (a plain script, no token) goes by."""
    remember_language(request._request, language)
    samesite = cast(Literal["Lax", "Strict", "None"], settings.LANGUAGE_COOKIE_SAMESITE)
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=samesite,
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, samesite=samesite)
