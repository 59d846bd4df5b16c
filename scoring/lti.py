"""LTI 1.3 for CasePath as a tool: OIDC login, resource-link launch, and
grade passback through Assignment and Grade Services (AGS).

Why not PyLTI1p3: its last release (2.0.0) is from November 2022 and
declares Python up to 3.9; its Django adapter keeps launch data in Django's
cache, which by default lives in process memory; and it adds ``requests`` and
``jwcrypto``. The subset a tool needs is small and security-critical, so it is
written here on PyJWT (with ``cryptography``), tested end to end against a
simulated platform with real signed tokens and a real key set.

What is checked on a launch: the ``state`` we issued (signed, ten minutes) and
that it comes back from the browser that started the login (a cookie set at
login initiation holds its hash), the id_token's RS256 signature against the
platform's key set, ``iss``, ``aud`` (our client id) and ``azp`` (required, and
equal to our client id, when ``aud`` names several audiences), ``exp``/``iat``,
the ``nonce`` we sent (used once, recorded only when every other check has
passed), the message type and LTI version, and that the deployment is
registered.

Every request CasePath makes to a platform (its key set, its token endpoint,
a line item) goes to an https URL on the host of the platform's issuer or on a
host a site administrator approved for that platform in the admin (Canvas
cloud, for one, keeps its endpoints and line items on other hosts than its
issuer's), to an address that was resolved and found public (the connection
goes to that very address, so a second DNS answer cannot redirect it), follows
no redirect, stops after ``HTTP_TIMEOUT`` seconds and refuses a body over
``MAX_RESPONSE_BYTES``. Key sets are kept in the database for
``KEY_SET_MAX_AGE``, so launches do not fetch them each time.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import re
import secrets
import socket
import ssl
import time
import urllib.parse
import uuid
from collections.abc import Collection, Mapping
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
from scoring.models import Assignment, LtiDeployment, LtiLineItem, LtiNonce, LtiPlatform, LtiUser
from scoring.roster import LTI_USERNAME_PREFIX, enrol
from simulator.accounts.models import Membership, Role
from simulator.params import parse_whole

logger = logging.getLogger(__name__)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
AGS_SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
STATE_SALT = "casepath.lti.state"
STATE_MAX_AGE = 600
STATE_COOKIE_PREFIX = "lti-state-"
HTTP_TIMEOUT = 5
MAX_RESPONSE_BYTES = 64 * 1024
KEY_SET_MAX_AGE = timedelta(minutes=10)
# A token naming a key we lack makes us fetch the key set again (the platform
# may have rotated its key), but not more than once a minute: anyone can post
# such tokens.
KEY_SET_REFETCH_AFTER = timedelta(minutes=1)
KEYS_UNAVAILABLE = "The learning platform's keys could not be checked; try again later."


class LaunchError(Exception):
    """A launch we refuse; the message is safe to show."""


class PlatformRequestError(Exception):
    """A request to a platform that failed or that CasePath refused to make; the
    message is for the log, never for the person launching."""


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
        # The path is for the operator's log, not for whoever asked.
        logger.error("The LTI key file %s is missing: run `manage.py lti_keygen`.", path)
        raise LaunchError("CasePath's LTI key is not set up yet; ask the site's administrator.")
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


# --- requests to a platform ---------------------------------------------------------


def _public_address(text: str) -> bool:
    """True for a public unicast IP address. ``is_global`` excludes loopback,
    private, link-local, shared, reserved and unspecified addresses; multicast
    ones count as global but are no server."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return address.is_global and not address.is_multicast


def _private_literal(host: str) -> bool:
    """True for a host that is an IP address but not a public one; a name is
    judged when it is resolved, just before each request."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return not _public_address(host)


def issuer_error(issuer: str) -> str | None:
    """Why ``issuer`` cannot be registered as a platform's issuer, or None."""
    try:
        parts = urllib.parse.urlsplit(issuer)
        host = parts.hostname
    except ValueError:
        return "This is not a valid URL."
    if parts.scheme != "https" or not host:
        return "Use the platform's https address."
    if _private_literal(host):
        return "Use a public host, not a private or local address."
    return None


# One DNS label: letters, digits and inner hyphens, 63 characters at most.
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def approved_host_error(host: str) -> str | None:
    """Why ``host`` (in lower case) cannot be approved as a further host of a
    platform, or None. It is compared exactly with the host of each URL, so it
    must be a bare host name (no scheme, port, path or wildcard) or a public
    IP address."""
    if _private_literal(host):
        return f"{host}: approve a public host, not a private or local address."
    if _public_address(host):
        return None
    labels = host.split(".")
    if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return (
            f"{host}: enter a host name alone, such as sso.canvaslms.com, "
            "without scheme, port, path or wildcard."
        )
    # A single label is looked up in the server's own search domains, that is
    # on its own network; a numeric last label is read as an IP address.
    if len(labels) < 2 or labels[-1].isdigit():
        return f"{host}: enter a full host name, such as sso.canvaslms.com."
    return None


def platform_url_error(url: str, *, issuer: str, approved_hosts: Collection[str]) -> str | None:
    """Why CasePath will not send a request (or a browser) to ``url`` for the
    platform whose issuer is ``issuer``, or None: it must be https on the
    issuer's own host or on one of ``approved_hosts`` (lower case, compared
    exactly), so registering a platform cannot aim the server at another
    machine."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port  # ValueError when it is not a number or out of range
        host = urllib.parse.urlsplit(issuer).hostname
    except ValueError:
        return "This is not a valid URL."
    if parts.scheme != "https" or port == 0:
        return "Use an https URL."
    name = parts.hostname
    if not name or (name != host and name not in approved_hosts):
        if name and not _private_literal(name):
            return (
                f"{name} is not the issuer's host ({host}): "
                "a site administrator must approve it for this platform first."
            )
        # A private address can never be approved: nobody is sent to ask for one.
        return f"Use a URL on the issuer's host ({host})."
    if _private_literal(name):
        return "Use a public host, not a private or local address."
    return None


def _url_error(platform: LtiPlatform, url: str) -> str | None:
    """``platform_url_error`` for a registered platform."""
    return platform_url_error(
        url, issuer=platform.issuer, approved_hosts=platform.approved_host_names()
    )


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (tests replace this to simulate DNS)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to ``host`` over a socket to ``address``, the address already
    checked: resolving the name again could give another answer (DNS
    rebinding). TLS still verifies the certificate for ``host``."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def open_connection(
    host: str, port: int, address: str, timeout: float
) -> http.client.HTTPConnection:
    """A connection to ``host`` made to ``address`` (tests replace this to reach
    a simulated platform without TLS)."""
    return _PinnedHTTPSConnection(host, port, address=address, timeout=timeout)


def _platform_request(
    platform: LtiPlatform, url: str, *, headers: dict[str, str], body: bytes | None = None
) -> bytes:
    """GET ``url`` (POST ``body`` if given) on the platform and return the
    response body; PlatformRequestError for anything but a prompt 2xx of at
    most ``MAX_RESPONSE_BYTES``."""
    if problem := _url_error(platform, url):
        raise PlatformRequestError(f"{url}: {problem}")
    parts = urllib.parse.urlsplit(url)
    host, port = str(parts.hostname), parts.port or 443
    try:
        addresses = resolve(host, port)
    except OSError as exc:
        raise PlatformRequestError(f"{host} does not resolve: {exc}") from None
    # Every address, not only the one we use: a name may answer with a public
    # and a private address and the system pick either.
    if not addresses or not all(_public_address(a) for a in addresses):
        raise PlatformRequestError(f"{host} resolves to {', '.join(addresses) or 'nothing'}")
    deadline = time.monotonic() + HTTP_TIMEOUT
    connection = open_connection(host, port, addresses[0], HTTP_TIMEOUT)
    target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    try:
        connection.request("GET" if body is None else "POST", target, body=body, headers=headers)
        response = connection.getresponse()
        if not 200 <= response.status < 300:
            # Redirects are refused like errors: following one could leave the host.
            raise PlatformRequestError(f"{url} answered HTTP {response.status}")
        data = b""
        while len(data) <= MAX_RESPONSE_BYTES:
            if time.monotonic() > deadline:
                raise PlatformRequestError(f"{url} took over {HTTP_TIMEOUT} s")
            chunk = response.read1(MAX_RESPONSE_BYTES + 1 - len(data))
            if not chunk:
                break
            data += chunk
        if len(data) > MAX_RESPONSE_BYTES:
            raise PlatformRequestError(f"{url} sent over {MAX_RESPONSE_BYTES} bytes")
        return data
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise PlatformRequestError(f"{url}: {type(exc).__name__}: {exc}") from None
    finally:
        connection.close()


def _json_object(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: deeply nested arrays
        raise PlatformRequestError("the response is not JSON") from None
    if not isinstance(value, dict):
        raise PlatformRequestError("the response is not a JSON object")
    return value


# --- login and launch --------------------------------------------------------------------


def tool_urls() -> dict[str, str]:
    return {
        "login": f"{settings.SITE_URL}/lti/login/",
        "launch": f"{settings.SITE_URL}/lti/launch/",
        "jwks": f"{settings.SITE_URL}/lti/jwks/",
    }


def platform_for_login(*, issuer: str, client_id: str) -> LtiPlatform:
    """The registration an OIDC login initiation is for.

    With a ``client_id`` it is the one registration of that (issuer, client id)
    pair. Without one (LTI 1.3 makes it optional), the issuer's earliest
    registration decides the program, and that program must have registered
    the issuer once only: a later registration of the same issuer by another
    program is ignored, so it can neither block nor capture the first
    program's launches. A platform that serves several registrations must
    send ``client_id``.
    """
    platforms = LtiPlatform.objects.filter(issuer=issuer)
    if client_id:
        platform = platforms.filter(client_id=client_id).first()
    else:
        first = platforms.order_by("pk").first()
        own = list(platforms.filter(program_id=first.program_id)[:2]) if first else []
        if len(own) > 1:
            raise LaunchError(
                "Several registrations share this learning platform's issuer; "
                "set the platform to send its client_id."
            )
        platform = own[0] if own else None
    if platform is None:
        raise LaunchError("This learning platform is not registered with CasePath.")
    return platform


def login_redirect(params: dict[str, str]) -> tuple[str, str]:
    """The platform's authorization URL for an OIDC third-party login
    initiation, and the state it carries (to bind to this browser)."""
    platform = platform_for_login(
        issuer=params.get("iss", ""), client_id=params.get("client_id", "")
    )
    if not params.get("login_hint"):
        raise LaunchError("The login request has no login_hint.")
    if _url_error(platform, platform.auth_login_url):
        raise LaunchError(
            "This learning platform's authentication URL is not an https URL on its host "
            "or on one approved for it."
        )
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
    return platform.auth_login_url + separator + urllib.parse.urlencode(query), state


def state_cookie(state: str) -> tuple[str, str]:
    """The name and value of the cookie that binds ``state`` to the browser
    that started the login. The name carries part of the hash so that two
    launches under way in one browser keep apart."""
    digest = hashlib.sha256(state.encode()).hexdigest()
    return STATE_COOKIE_PREFIX + digest[:16], digest


def _signing_keys(key_set: object) -> list[jwt.PyJWK]:
    """The RS256 keys of a key set; PlatformRequestError if it has none."""
    if not isinstance(key_set, dict):
        raise PlatformRequestError("the key set is not a JSON object")
    try:
        keys = jwt.PyJWKSet.from_dict(key_set).keys
    except (jwt.PyJWTError, TypeError, ValueError) as exc:
        raise PlatformRequestError(f"the key set is not usable: {exc}") from None
    rs256 = [key for key in keys if key.algorithm_name == "RS256"]
    if not rs256:
        raise PlatformRequestError("the key set has no RS256 key")
    return rs256


def _platform_keys(platform: LtiPlatform, kid: object) -> list[jwt.PyJWK]:
    """The platform's RS256 keys, from the copy in the database while it is
    fresh (every app server shares it), else fetched and stored again."""
    fetched_at = platform.key_set_fetched_at
    age = timezone.now() - fetched_at if fetched_at else None
    try:
        if age is not None and age < KEY_SET_MAX_AGE:
            keys = _signing_keys(platform.key_set)
            if kid is None or kid in [key.key_id for key in keys] or age < KEY_SET_REFETCH_AFTER:
                return keys
        key_set = _json_object(
            _platform_request(
                platform, platform.key_set_url, headers={"Accept": "application/json"}
            )
        )
        keys = _signing_keys(key_set)
    except PlatformRequestError as exc:
        logger.warning("LTI key set of platform %s not usable: %s", platform.pk, exc)
        raise LaunchError(KEYS_UNAVAILABLE) from None
    LtiPlatform.objects.filter(pk=platform.pk).update(
        key_set=key_set, key_set_fetched_at=timezone.now()
    )
    return keys


def _verify(platform: LtiPlatform, id_token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError:
        raise LaunchError("The id_token is not a JWT.") from None
    if header.get("alg") != "RS256":
        raise LaunchError("The id_token must be signed with RS256.")
    kid = header.get("kid")
    keys = [key for key in _platform_keys(platform, kid) if kid in (None, key.key_id)]
    if not keys:
        raise LaunchError("The id_token is signed with a key the platform does not publish.")
    last: Exception | None = None
    for key in keys:
        try:
            claims = jwt.decode(
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
            continue
        except jwt.PyJWTError as exc:
            raise LaunchError(f"The id_token is not valid: {exc}.") from None
        _check_authorized_party(platform, claims)
        return claims
    raise LaunchError(f"The id_token is not valid: {last}.")


def _check_authorized_party(platform: LtiPlatform, claims: dict[str, Any]) -> None:
    """OpenID Connect Core 3.1.3.7 as the LTI Security Framework applies it: a
    token for several audiences must name us as the party it was issued to."""
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    if azp is None and len(audiences) > 1:
        raise LaunchError("The id_token names several audiences but no authorized party (azp).")
    if azp is not None and azp != platform.client_id:
        raise LaunchError("The id_token was issued to another client (azp).")


@dataclass(frozen=True)
class Launch:
    user: Any
    case: Case
    assignment: Assignment | None
    deployment: LtiDeployment
    lineitem: str | None
    sub: str


def launch_verify(*, id_token: str, state: str, cookies: Mapping[str, str]) -> Launch:
    """Check a resource-link launch and find who and what it is for; LaunchError if refused.

    ``cookies`` are the browser's: the state must come back from the browser
    that started the login, or anyone could log a victim's browser into their
    own LMS account by posting a launch of theirs from it.
    """
    try:
        issued = signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature:
        raise LaunchError("The launch's state is not one CasePath issued, or it expired.") from None
    name, value = state_cookie(state)
    # As bytes: compare_digest refuses str with non-ASCII, which a cookie may hold.
    if not hmac.compare_digest(cookies.get(name, "").encode(), value.encode()):
        raise LaunchError(
            "This launch did not start in this browser; open the link from the learning platform again."
        )
    platform = LtiPlatform.objects.select_related("program").filter(pk=issued["p"]).first()
    if platform is None:
        raise LaunchError("This learning platform is no longer registered.")
    claims = _verify(platform, id_token)
    if claims["nonce"] != issued["n"]:
        raise LaunchError("The id_token's nonce does not match the login request.")
    sub = claims["sub"]
    if not isinstance(sub, str) or not 0 < len(sub) <= 255:
        raise LaunchError("The id_token's sub is not a user id CasePath can keep.")
    if claims.get(CLAIM + "message_type") != "LtiResourceLinkRequest":
        raise LaunchError("Only resource-link launches are supported.")
    if claims.get(CLAIM + "version") != "1.3.0":
        raise LaunchError("Only LTI 1.3.0 launches are supported.")
    deployment = LtiDeployment.objects.filter(
        platform=platform, deployment_id=str(claims.get(CLAIM + "deployment_id", ""))
    ).first()
    if deployment is None:
        raise LaunchError("This deployment is not registered with CasePath.")
    roles = claims.get(CLAIM + "roles")
    if not isinstance(roles, list) or LEARNER not in roles:
        raise LaunchError("Cases are launched by learners; open CasePath directly to manage it.")
    custom = claims.get(CLAIM + "custom")
    custom = custom if isinstance(custom, dict) else {}
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
    if (raw := custom.get("assignment")) not in (None, ""):
        pk = parse_whole(str(raw))
        if pk is not None:
            assignment = Assignment.objects.filter(
                pk=pk, cohort__program=program, cases=case
            ).first()
        if assignment is None:
            raise LaunchError("The link names an assignment this program does not have.")
    lineitem = _lineitem(platform, claims.get(AGS_CLAIM))
    # Recorded last, so a refused launch writes nothing.
    try:
        with transaction.atomic():
            LtiNonce.objects.create(
                platform=platform,
                nonce=claims["nonce"],
                expires_at=timezone.now() + timedelta(seconds=STATE_MAX_AGE),
            )
    except IntegrityError:
        raise LaunchError("This launch was already used.") from None
    user = _user_for(platform, claims, assignment)
    return Launch(user, case, assignment, deployment, lineitem, sub)


def _lineitem(platform: LtiPlatform, ags: object) -> str | None:
    """The line item a launch's score goes to, if the platform granted the
    score scope; one off the platform's host and the hosts approved for it is
    ignored (and logged), so a launch cannot make CasePath post anywhere else."""
    if not isinstance(ags, dict) or AGS_SCORE_SCOPE not in (ags.get("scope") or []):
        return None
    lineitem = ags.get("lineitem")
    if not isinstance(lineitem, str):
        return None
    max_length = LtiLineItem._meta.get_field("lineitem_url").max_length or 0
    problem = _url_error(platform, lineitem)
    if problem or len(lineitem) > max_length:
        logger.warning(
            "LTI line item of platform %s ignored: %s", platform.pk, problem or "too long"
        )
        return None
    return lineitem


def models_q_playable(program) -> Q:
    return Q(program__isnull=True) | Q(program=program)


@transaction.atomic
def _user_for(platform: LtiPlatform, claims: dict[str, Any], assignment: Assignment | None):
    """The CasePath account of this LMS user, created on first launch, made a
    resident of the program and (for an assignment) put on its cohort: the
    LMS's enrolment is the roster.

    Only the LtiUser link says which account that is. The account's name is
    derived from (platform, ``sub``); if an account not linked to this LMS
    user already has that name, the new one gets a random suffix instead.
    """
    link = (
        LtiUser.objects.select_related("user").filter(platform=platform, sub=claims["sub"]).first()
    )
    if link is not None:
        user = link.user
    else:
        user_model = get_user_model()
        digest = hashlib.sha256(f"{platform.pk}:{claims['sub']}".encode()).hexdigest()[:16]
        username = LTI_USERNAME_PREFIX + digest
        if user_model.objects.filter(username=username).exists():
            username = f"{username}-{secrets.token_hex(4)}"
        user = user_model(
            username=username,
            email=str(claims.get("email", ""))[:254],
            first_name=str(claims.get("given_name", ""))[:150],
            last_name=str(claims.get("family_name", ""))[:150],
        )
        user.set_unusable_password()
        user.save()
        LtiUser.objects.create(platform=platform, sub=claims["sub"], user=user)
    if assignment is not None:
        enrol(assignment.cohort, [user])
    else:
        Membership.objects.get_or_create(user=user, program=platform.program, role=Role.RESIDENT)
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
    answer = _json_object(
        _platform_request(
            platform,
            platform.auth_token_url,
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    )
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        raise PlatformRequestError("the token response has no access_token")
    return token


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
    platform's line item; True when the platform accepted it. The line item's
    URL is checked again here, before any request: it may have been stored
    before launches checked it."""
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
        if problem := _url_error(platform, line.lineitem_url):
            raise PlatformRequestError(f"{line.lineitem_url}: {problem}")
        token = _access_token(platform)
        _platform_request(
            platform,
            scores_url(line.lineitem_url),
            body=json.dumps(payload).encode(),
            headers={
                "Content-Type": "application/vnd.ims.lis.v1.score+json",
                "Authorization": f"Bearer {token}",
            },
        )
    except (PlatformRequestError, LaunchError) as exc:
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
