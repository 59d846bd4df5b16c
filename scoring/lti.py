"""LTI 1.3 for CasePath as a tool: OIDC login, resource-link launch, and
grade passback through Assignment and Grade Services (AGS).

Why not PyLTI1p3: its last release (2.0.0) is from November 2022 and
declares Python up to 3.9; its Django adapter keeps launch data in Django's
cache, which by default lives in process memory; and it adds ``requests`` and
``jwcrypto``. The subset a tool needs is small and security-critical, so it is
written here on PyJWT (with ``cryptography``), tested end to end against a
simulated platform with real signed tokens and a real key set.

What is checked on a launch: the ``state`` we issued (signed, ten minutes),
the id_token's RS256 signature against the platform's JWKS, ``iss``, ``aud``
(our client id), ``exp``/``iat``, the ``nonce`` we sent (used once), the
message type and LTI version, and that the deployment is registered.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cases.models import Case
from scoring.models import (
    Assignment,
    CohortMember,
    LtiDeployment,
    LtiLineItem,
    LtiNonce,
    LtiPlatform,
    LtiUser,
    Membership,
    Role,
)

logger = logging.getLogger(__name__)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
AGS_SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
STATE_SALT = "casepath.lti.state"
STATE_MAX_AGE = 600
HTTP_TIMEOUT = 10


class LaunchError(Exception):
    """A launch we refuse; the message is safe to show."""


# --- the tool's key ------------------------------------------------------------------


def tool_key_generate(path=None) -> None:
    path = path or settings.LTI_PRIVATE_KEY_FILE
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.write_bytes(pem)


def tool_private_key() -> rsa.RSAPrivateKey:
    path = settings.LTI_PRIVATE_KEY_FILE
    if not path.exists():
        raise LaunchError(f"The LTI key is missing: run `manage.py lti_keygen` ({path}).")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)  # noqa: S101 - lti_keygen writes RSA keys
    return key


def _kid(public_key: rsa.RSAPublicKey) -> str:
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()[:16]


def tool_jwks() -> dict[str, Any]:
    public = tool_private_key().public_key()
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
    return {"keys": [jwk | {"kid": _kid(public), "alg": "RS256", "use": "sig"}]}


# --- login and launch --------------------------------------------------------------------


def tool_urls() -> dict[str, str]:
    return {
        "login": f"{settings.SITE_URL}/lti/login/",
        "launch": f"{settings.SITE_URL}/lti/launch/",
        "jwks": f"{settings.SITE_URL}/lti/jwks/",
    }


def login_redirect(params: dict[str, str]) -> str:
    """The platform's authorization URL for an OIDC third-party login initiation."""
    issuer = params.get("iss", "")
    platforms = LtiPlatform.objects.filter(issuer=issuer)
    if client_id := params.get("client_id"):
        platforms = platforms.filter(client_id=client_id)
    found = list(platforms[:2])
    if len(found) != 1:
        raise LaunchError("This learning platform is not registered with CasePath.")
    platform = found[0]
    if not params.get("login_hint"):
        raise LaunchError("The login request has no login_hint.")
    nonce = secrets.token_urlsafe(24)
    state = signing.dumps({"p": platform.pk, "n": nonce}, salt=STATE_SALT)
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": tool_urls()["launch"],
        "login_hint": params["login_hint"],
        "state": state,
        "nonce": nonce,
    }
    if hint := params.get("lti_message_hint"):
        query["lti_message_hint"] = hint
    separator = "&" if "?" in platform.auth_login_url else "?"
    return platform.auth_login_url + separator + urllib.parse.urlencode(query)


def _fetch_json(url: str) -> dict[str, Any]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise LaunchError(f"The platform's key set could not be fetched: {exc}") from None


def _verify(platform: LtiPlatform, id_token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError:
        raise LaunchError("The id_token is not a JWT.") from None
    if header.get("alg") != "RS256":
        raise LaunchError("The id_token must be signed with RS256.")
    jwks = jwt.PyJWKSet.from_dict(_fetch_json(platform.key_set_url))
    keys = [k for k in jwks.keys if header.get("kid") in (None, k.key_id)]
    if not keys:
        raise LaunchError("The id_token is signed with a key the platform does not publish.")
    last: Exception | None = None
    for key in keys:
        try:
            return jwt.decode(
                id_token,
                key.key,
                algorithms=["RS256"],
                audience=platform.client_id,
                issuer=platform.issuer,
                leeway=30,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
            )
        except jwt.InvalidSignatureError as exc:
            last = exc
        except jwt.PyJWTError as exc:
            raise LaunchError(f"The id_token is not valid: {exc}.") from None
    raise LaunchError(f"The id_token is not valid: {last}.")


@dataclass(frozen=True)
class Launch:
    user: Any
    case: Case
    assignment: Assignment | None
    deployment: LtiDeployment
    lineitem: str | None
    sub: str


def launch_verify(*, id_token: str, state: str) -> Launch:
    """Check a resource-link launch and find who and what it is for; LaunchError if refused."""
    try:
        issued = signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature:
        raise LaunchError("The launch's state is not one CasePath issued, or it expired.") from None
    platform = LtiPlatform.objects.select_related("program").filter(pk=issued["p"]).first()
    if platform is None:
        raise LaunchError("This learning platform is no longer registered.")
    claims = _verify(platform, id_token)
    if claims["nonce"] != issued["n"]:
        raise LaunchError("The id_token's nonce does not match the login request.")
    try:
        with transaction.atomic():
            LtiNonce.objects.create(
                platform=platform,
                nonce=claims["nonce"],
                expires_at=timezone.now() + timedelta(seconds=STATE_MAX_AGE),
            )
    except IntegrityError:
        raise LaunchError("This launch was already used.") from None
    if claims.get(CLAIM + "message_type") != "LtiResourceLinkRequest":
        raise LaunchError("Only resource-link launches are supported.")
    if claims.get(CLAIM + "version") != "1.3.0":
        raise LaunchError("Only LTI 1.3.0 launches are supported.")
    deployment = LtiDeployment.objects.filter(
        platform=platform, deployment_id=claims.get(CLAIM + "deployment_id", "")
    ).first()
    if deployment is None:
        raise LaunchError("This deployment is not registered with CasePath.")
    if LEARNER not in claims.get(CLAIM + "roles", []):
        raise LaunchError("Cases are launched by learners; open CasePath directly to manage it.")
    custom = claims.get(CLAIM + "custom") or {}
    program = platform.program
    case = (
        Case.objects.filter(slug=str(custom.get("case", "")), published__isnull=False)
        .filter(models_q_playable(program))
        .select_related("published")
        .first()
    )
    if case is None:
        raise LaunchError("The link does not name a case of this program (custom parameter case).")
    assignment = None
    if raw := str(custom.get("assignment", "")):
        assignment = Assignment.objects.filter(
            pk=raw if raw.isdigit() else 0, cohort__program=program, cases=case
        ).first()
        if assignment is None:
            raise LaunchError("The link names an assignment this program does not have.")
    ags = claims.get(AGS_CLAIM) or {}
    lineitem = ags.get("lineitem") if AGS_SCORE_SCOPE in ags.get("scope", []) else None
    user = _user_for(platform, claims, assignment)
    return Launch(user, case, assignment, deployment, lineitem, claims["sub"])


def models_q_playable(program) -> Q:
    return Q(program__isnull=True) | Q(program=program)


@transaction.atomic
def _user_for(platform: LtiPlatform, claims: dict[str, Any], assignment: Assignment | None):
    """The CasePath account of this LMS user, created on first launch, made a
    resident of the program and (for an assignment) put on its cohort: the
    LMS's enrolment is the roster."""
    link = (
        LtiUser.objects.select_related("user").filter(platform=platform, sub=claims["sub"]).first()
    )
    if link is not None:
        user = link.user
    else:
        digest = hashlib.sha256(f"{platform.pk}:{claims['sub']}".encode()).hexdigest()[:16]
        user = get_user_model()(
            username=f"lti-{digest}",
            email=str(claims.get("email", ""))[:254],
            first_name=str(claims.get("given_name", ""))[:150],
            last_name=str(claims.get("family_name", ""))[:150],
        )
        user.set_unusable_password()
        user.save()
        LtiUser.objects.create(platform=platform, sub=claims["sub"], user=user)
    Membership.objects.get_or_create(user=user, program=platform.program, role=Role.RESIDENT)
    if (
        assignment is not None
        and not CohortMember.objects.filter(
            cohort=assignment.cohort, user=user, removed_at__isnull=True
        ).exists()
    ):
        CohortMember.objects.create(cohort=assignment.cohort, user=user)
    return user


# --- grade passback --------------------------------------------------------------------------


def _access_token(platform: LtiPlatform) -> str:
    key = tool_private_key()
    now = int(time.time())
    assertion = jwt.encode(
        {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.auth_token_url,
            "iat": now,
            "exp": now + 300,
            "jti": str(uuid.uuid4()),
        },
        key,
        algorithm="RS256",
        headers={"kid": _kid(key.public_key())},
    )
    body = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
            "scope": AGS_SCORE_SCOPE,
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the registered platform's token URL
        platform.auth_token_url,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310
        return json.loads(response.read())["access_token"]


def scores_url(lineitem: str) -> str:
    parts = urllib.parse.urlsplit(lineitem)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def _score_for(line: LtiLineItem) -> int | None:
    from scoring.assignments import counted_scores
    from scoring.rubric import RUBRIC_VERSION

    attempt = line.attempt
    if attempt.assignment_id is not None:
        for row in counted_scores([attempt.assignment], user=attempt.user):
            if row["case"] == attempt.case_version.case_id:
                return row["score"]
    score = attempt.scores.filter(rubric_version=RUBRIC_VERSION).first()
    return score.score if score else None


def score_publish(line: LtiLineItem) -> bool:
    """Send the attempt's score (its assignment's counted score, if any) to the
    platform's line item; True when the platform accepted it."""
    value = _score_for(line)
    if value is None:
        return False
    platform = line.deployment.platform
    payload = {
        "userId": line.lti_user_id,
        "scoreGiven": value,
        "scoreMaximum": 100,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": timezone.now().isoformat(),
    }
    try:
        token = _access_token(platform)
        request = urllib.request.Request(  # noqa: S310 - the platform's line item URL
            scores_url(line.lineitem_url),
            data=json.dumps(payload).encode(),
            headers={
                "Content-Type": "application/vnd.ims.lis.v1.score+json",
                "Authorization": f"Bearer {token}",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT):  # noqa: S310
            pass
    except (urllib.error.URLError, OSError, ValueError, KeyError, LaunchError) as exc:
        line.last_error = f"{type(exc).__name__}: {exc}"[:300]
        line.save(update_fields=["last_error"])
        logger.warning("LTI score for attempt %s not sent: %s", line.attempt_id, exc)
        return False
    line.score_sent_at = timezone.now()
    line.last_error = ""
    line.save(update_fields=["score_sent_at", "last_error"])
    return True


def score_publish_pending(*, attempt_id: int | None = None) -> tuple[int, int]:
    """Send every finished attempt's unsent score; (sent, failed)."""
    lines = LtiLineItem.objects.filter(
        score_sent_at__isnull=True, attempt__finished_at__isnull=False
    ).select_related(
        "deployment__platform", "attempt__assignment", "attempt__case_version", "attempt__user"
    )
    if attempt_id is not None:
        lines = lines.filter(attempt_id=attempt_id)
    sent = failed = 0
    for line in lines:
        if score_publish(line):
            sent += 1
        else:
            failed += 1
    return sent, failed
