"""The container deployment files agree with each other and with the code.

No Docker engine is needed: the Dockerfile, docker-compose.yml and the
entrypoint are parsed and checked against config/settings.py (the variables
it reads), pyproject.toml (the Python it supports) and the URLconf (the
health probe). The production settings themselves are checked with
``manage.py check --deploy`` in a subprocess, which needs no database.
"""

import json
import os
import re
import secrets
import stat
import subprocess
import sys
import tomllib
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest
import yaml
from django.urls import Resolver404, resolve
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
SETTINGS_FILE = ROOT / "config" / "settings.py"
README = ROOT / "README.md"

# What production cannot start without (settings raise ImproperlyConfigured).
PRODUCTION_REQUIRED = {
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "TIMELINE_UID_DOMAIN",
}


# --- config/settings.py: the environment variables it reads ---------------

# env_str("X"), env_bool("X", …), env_list("X"), os.environ.get("X"),
# os.getenv("X") and os.environ["X"].
_READS = re.compile(
    r"""(?:\benv_\w+|\bos\.environ\.get|\bos\.getenv)\(\s*["'](?P<call>[A-Z][A-Z0-9_]*)["']"""
    r"""|\bos\.environ\[\s*["'](?P<item>[A-Z][A-Z0-9_]*)["']\s*\]"""
)
# env_str("X") / env_list("X") with no default: required where it is called.
_REQUIRED = re.compile(r"""\benv_(?:str|list)\(\s*["']([A-Z][A-Z0-9_]*)["']\s*\)""")


def settings_variables() -> set[str]:
    source = SETTINGS_FILE.read_text()
    return {m.group("call") or m.group("item") for m in _READS.finditer(source)}


def settings_required_variables() -> set[str]:
    return set(_REQUIRED.findall(SETTINGS_FILE.read_text()))


def test_the_settings_scan_finds_the_variables_settings_reads():
    # Guards the regexes: a scan that finds nothing would let anything pass.
    found = settings_variables()
    assert {"DJANGO_ENV", "DATABASE_URL", "REDIS_URL", "DJANGO_LOG_LEVEL"} <= found
    assert found >= PRODUCTION_REQUIRED
    assert settings_required_variables() >= PRODUCTION_REQUIRED


def clean_environ(**overrides: str) -> dict[str, str]:
    """This process's environment without anything settings reads, plus overrides."""
    env = {k: v for k, v in os.environ.items() if k not in settings_variables()}
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def explain(result: subprocess.CompletedProcess) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


# --- Dockerfile -------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: continuations joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    current = ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue  # also inside a continuation, as Docker does
        if stripped.endswith("\\"):
            current += stripped[:-1].rstrip() + " "
            continue
        current += stripped
        keyword, _, arguments = current.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        current = ""
    assert not current, "the Dockerfile ends inside a line continuation"
    return instructions


def instruction_args(name: str) -> list[str]:
    return [args for keyword, args in dockerfile_instructions() if keyword == name]


def last_instruction(name: str) -> str:
    found = instruction_args(name)
    assert found, f"the Dockerfile has no {name}"
    return found[-1]


def exec_form(arguments: str) -> list[str]:
    """The JSON (exec form) argument list of CMD/ENTRYPOINT/HEALTHCHECK CMD."""
    assert arguments.startswith("["), f"not in exec (JSON) form: {arguments}"
    words = json.loads(arguments)
    assert isinstance(words, list)
    assert all(isinstance(word, str) for word in words)
    return words


def gunicorn_command() -> str:
    """The gunicorn command line CMD runs (directly, or through `sh -c 'exec …'`)."""
    words = exec_form(last_instruction("CMD"))
    if words[:2] in (["sh", "-c"], ["/bin/sh", "-c"]):
        script = words[2]
        # Without `exec`, sh would stay PID 1's child and swallow SIGTERM.
        assert script.startswith("exec gunicorn "), script
        return script.removeprefix("exec ")
    assert PurePosixPath(words[0]).name == "gunicorn", words
    return " ".join(words)


def bind_port() -> int:
    match = re.search(r"--bind[= ]+[\"']?[^\s\"']*:(\d+)", gunicorn_command())
    assert match, "gunicorn has no --bind HOST:PORT"
    return int(match.group(1))


def healthcheck_url() -> str:
    match = re.search(r"https?://[^\s'\"]+", last_instruction("HEALTHCHECK"))
    assert match, "the HEALTHCHECK requests no URL"
    return match.group(0)


def test_dockerfile_base_image_is_a_python_the_project_supports():
    base = last_instruction("FROM").split()
    image = next(word for word in base if not word.startswith("--"))
    match = re.fullmatch(
        r"(?:docker\.io/(?:library/)?)?python:(\d+)\.(\d+)(?:\.\d+)?(?:-[\w.-]+)?(?:@sha256:\w+)?",
        image,
    )
    assert match, f"the base image is not an official python image: {image}"
    version = (int(match.group(1)), int(match.group(2)))
    assert version >= (3, 11)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    requires = SpecifierSet(pyproject["project"]["requires-python"])
    assert requires.contains(f"{version[0]}.{version[1]}"), (image, str(requires))


def test_dockerfile_runs_as_a_non_root_user():
    user = last_instruction("USER").split(":")[0]
    assert user not in {"root", "0"}
    keywords = [keyword for keyword, _ in dockerfile_instructions()]
    # The user is set before the container's process is defined.
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")


def test_dockerfile_environment_and_install():
    env = " ".join(instruction_args("ENV"))
    assert re.search(r"\bPYTHONDONTWRITEBYTECODE=1\b", env)
    assert re.search(r"\bPYTHONUNBUFFERED=1\b", env)
    runs = instruction_args("RUN")
    assert any(re.search(r"\bpip install --no-cache-dir \.(\s|$)", run) for run in runs)
    copied = " ".join(instruction_args("COPY"))
    for needed in ("pyproject.toml", "README.md", "manage.py", "config", "timeline", "sources"):
        assert re.search(rf"(^|\s|/){re.escape(needed)}(\s|/|$)", copied), needed


def test_collectstatic_runs_at_build_with_build_only_secrets():
    runs = [run for run in instruction_args("RUN") if "collectstatic" in run]
    assert len(runs) == 1
    (run,) = runs
    assert "--noinput" in run
    assignments = ["DJANGO_ENV=production", *(f"{name}=" for name in sorted(PRODUCTION_REQUIRED))]
    for assignment in assignments:
        assert assignment in run, assignment
    # The dummies live in that one RUN line only, never in the image's config.
    for keyword in ("ENV", "ARG", "LABEL"):
        for arguments in instruction_args(keyword):
            for name in PRODUCTION_REQUIRED:
                assert name not in arguments, (keyword, arguments)


def test_web_port_agrees_across_gunicorn_expose_healthcheck_and_compose(compose):
    port = bind_port()
    exposed = {int(p.split("/")[0]) for args in instruction_args("EXPOSE") for p in args.split()}
    assert port in exposed
    assert urlsplit(healthcheck_url()).port == port
    container_ports = {container_port(p) for p in compose["services"]["web"]["ports"]}
    assert port in container_ports


def test_gunicorn_command_line():
    command = gunicorn_command()
    assert "config.wsgi:application" in command
    assert "--bind 0.0.0.0:" in command  # reachable from outside the container
    assert "${WEB_CONCURRENCY:-3}" in command
    assert "--access-logfile -" in command
    # The worker timeout is gunicorn.conf.py's, above the request deadline.
    assert "--timeout" not in command


def test_the_image_has_gunicorns_config_in_its_working_directory():
    copied = [args.split() for args in instruction_args("COPY")]
    assert any("gunicorn.conf.py" in sources[:-1] for sources in copied)
    assert instruction_args("WORKDIR") == ["/app"]


def test_healthcheck_requests_the_liveness_probe():
    words = exec_form(last_instruction("HEALTHCHECK").split("CMD", 1)[1].strip())
    assert words[0] == "python"  # the slim image has no curl
    url = healthcheck_url()
    path = urlsplit(url).path
    try:
        match = resolve(path)
    except Resolver404:
        pytest.fail(f"the HEALTHCHECK requests {path}, which the project does not route")
    # Liveness must not depend on the database, or an outage restarts every container.
    assert match.url_name == "healthz", url


def test_entrypoint_is_the_executable_script_in_the_repository():
    words = exec_form(last_instruction("ENTRYPOINT"))
    assert len(words) == 1, "ENTRYPOINT should be the script alone; CMD supplies its arguments"
    target = PurePosixPath(words[0])
    if target.is_absolute():
        target = target.relative_to(PurePosixPath(last_instruction("WORKDIR")))
    assert ROOT / target == ENTRYPOINT


# --- docker/entrypoint.sh ---------------------------------------------------


def test_entrypoint_file_is_an_executable_script():
    assert ENTRYPOINT.is_file()
    mode = ENTRYPOINT.stat().st_mode
    assert mode & stat.S_IXUSR and mode & stat.S_IXGRP and mode & stat.S_IXOTH, oct(mode)
    text = ENTRYPOINT.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert re.search(r"^set -eu\b", text, re.MULTILINE)
    assert text.rstrip().endswith('exec "$@"')
    syntax = subprocess.run(["sh", "-n", str(ENTRYPOINT)], capture_output=True, text=True)
    assert syntax.returncode == 0, syntax.stderr


@pytest.fixture
def fake_python(tmp_path):
    """A `python` on PATH that records its arguments and exits with $FAKE_STATUS."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "python.log"
    fake = bin_dir / "python"
    fake.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexit "${{FAKE_STATUS:-0}}"\n')
    fake.chmod(0o755)
    return bin_dir, log


def test_entrypoint_migrates_then_execs_the_command(fake_python, tmp_path):
    bin_dir, log = fake_python
    for setting, status, migrates, runs, succeeds in [
        (None, "0", True, True, True),
        ("true", "0", True, True, True),
        ("True", "0", True, True, True),
        ("false", "0", False, True, True),
        ("0", "0", False, True, True),
        ("maybe", "0", False, False, False),
        (None, "1", True, False, False),  # a failed migration stops the start
    ]:
        log.unlink(missing_ok=True)
        env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_STATUS": status}
        if setting is not None:
            env["DJANGO_MIGRATE_ON_START"] = setting
        result = subprocess.run(
            [str(ENTRYPOINT), "sh", "-c", 'echo "served as $0"', "web"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        case = (setting, status)
        assert (result.returncode == 0) is succeeds, (case, result.stderr)
        calls = log.read_text().splitlines() if log.exists() else []
        assert calls == (["manage.py migrate --noinput"] if migrates else []), case
        assert (result.stdout == "served as web\n") is runs, (case, result.stdout)


# --- docker-compose.yml -----------------------------------------------------

_INTERPOLATION = re.compile(
    r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}|\$(?P<bare>\w+)"
)


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} (and the colon-less forms)."""

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg = match.group("op"), match.group("arg")
        current = env.get(name)
        missing = current is None or (current == "" and op is not None and op.startswith(":"))
        if op in {"-", ":-"}:
            return arg if missing else current
        if op in {"?", ":?"}:
            if missing:
                raise ValueError(f"{name}: {arg}")
            return current
        if op in {"+", ":+"}:
            return "" if missing else arg
        return current or ""

    return _INTERPOLATION.sub(substitute, value)


def environment(service: dict) -> dict[str, str]:
    """A service's environment as a mapping, from either the map or the list form."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, None) for item in raw)
    return {str(k): ("" if v is None else str(v)) for k, v in raw.items()}


def container_port(port) -> int:
    if isinstance(port, dict):
        return int(port["target"])
    return int(str(port).split("/")[0].rsplit(":", 1)[-1])


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def web_env(compose) -> dict[str, str]:
    return environment(compose["services"]["web"])


# What `docker compose up` sees with only the required secret exported.
RUN_ENV = {"DJANGO_SECRET_KEY": "x" * 50}


def test_compose_file_follows_the_compose_specification(compose):
    assert "version" not in compose  # obsolete; the Compose Specification has none
    assert {"db", "redis", "web"} <= set(compose["services"])


def test_db_is_postgres_with_a_healthcheck_and_a_named_volume(compose):
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:")
    db_env = environment(db)
    assert db_env["POSTGRES_DB"] and db_env["POSTGRES_USER"]
    assert interpolate(db_env["POSTGRES_PASSWORD"], RUN_ENV)

    check = db["healthcheck"]
    test = check["test"]
    command = " ".join(test[1:]) if isinstance(test, list) else test
    if isinstance(test, list):
        assert test[0] in {"CMD", "CMD-SHELL"}
    assert "pg_isready" in command
    assert re.search(rf"-U\s+{db_env['POSTGRES_USER']}\b", command)
    assert re.search(rf"-d\s+{db_env['POSTGRES_DB']}\b", command)
    assert {"interval", "timeout", "retries"} <= set(check)

    data_volumes = [v for v in db["volumes"] if str(v).endswith(":/var/lib/postgresql/data")]
    assert data_volumes, "PostgreSQL's data directory is not on a volume"
    assert data_volumes[0].split(":")[0] == "pgdata"


def test_named_volumes_are_declared_at_top_level(compose):
    declared = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else str(volume).split(":")[0]
            if source and not source.startswith((".", "/", "~", "$")):
                assert source in declared, f"{name} uses volume {source!r}, not declared"
    assert "pgdata" in declared


def test_redis_has_a_healthcheck(compose):
    redis = compose["services"]["redis"]
    assert redis["image"].startswith("redis:")
    test = redis["healthcheck"]["test"]
    assert "redis-cli ping" in (" ".join(test) if isinstance(test, list) else test)


def test_web_builds_here_and_waits_for_healthy_dependencies(compose):
    web = compose["services"]["web"]
    build = web["build"]
    assert (build if isinstance(build, str) else build.get("context", ".")) in {".", "./"}
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["depends_on"]["redis"]["condition"] == "service_healthy"
    assert web["restart"] == "unless-stopped"


def test_web_sets_only_variables_that_settings_reads(web_env):
    unknown = set(web_env) - settings_variables()
    assert not unknown, f"config/settings.py does not read {sorted(unknown)}"


def test_web_sets_every_variable_production_requires(web_env):
    assert web_env["DJANGO_ENV"] == "production"
    missing = (settings_required_variables() | PRODUCTION_REQUIRED) - set(web_env)
    assert not missing, f"production needs {sorted(missing)}"
    for name in PRODUCTION_REQUIRED:
        assert interpolate(web_env[name], RUN_ENV), name


def test_web_secret_key_comes_from_the_environment_and_is_mandatory(web_env):
    # Never a literal secret in the repository; compose refuses to start without it.
    assert re.fullmatch(r"\$\{DJANGO_SECRET_KEY:\?[^}]*\}", web_env["DJANGO_SECRET_KEY"])
    with pytest.raises(ValueError, match="DJANGO_SECRET_KEY"):
        interpolate(web_env["DJANGO_SECRET_KEY"], {})


def test_web_database_url_points_at_the_db_service(compose, web_env):
    url = urlsplit(interpolate(web_env["DATABASE_URL"], RUN_ENV))
    db_env = {k: interpolate(v, RUN_ENV) for k, v in environment(compose["services"]["db"]).items()}
    assert url.scheme in {"postgres", "postgresql"}
    assert url.hostname == "db" and url.hostname in compose["services"]
    assert url.port in {None, 5432}
    assert url.path.lstrip("/") == db_env["POSTGRES_DB"]
    assert url.username == db_env["POSTGRES_USER"]
    assert url.password == db_env["POSTGRES_PASSWORD"]


def test_web_redis_url_points_at_the_redis_service(compose, web_env):
    url = urlsplit(interpolate(web_env["REDIS_URL"], RUN_ENV))
    assert url.scheme == "redis"
    assert url.hostname == "redis" and url.hostname in compose["services"]
    assert url.port in {None, 6379}


def test_compose_environment_loads_the_production_settings(web_env):
    # The values compose passes parse (booleans, lists, URLs); only the
    # deliberate plain-HTTP choice (no SSL redirect) is left to warn about.
    env = clean_environ(**{k: interpolate(v, RUN_ENV) for k, v in web_env.items()})
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    result = manage("check", "--deploy", env=env)
    assert result.returncode == 0, explain(result)
    warnings = set(re.findall(r"\((\w+\.[WE]\d+)\)", result.stdout + result.stderr))
    assert warnings <= {"security.W008"}, explain(result)


# --- The production settings ------------------------------------------------


def production_environ(tmp_path, **overrides: str) -> dict[str, str]:
    return clean_environ(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50)[:50],
        DJANGO_ALLOWED_HOSTS="example.org",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://example.org",
        TIMELINE_UID_DOMAIN="example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        **overrides,
    )


def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_environ(tmp_path)
    )
    assert result.returncode == 0, explain(result)


def test_production_without_a_required_variable_refuses_to_start(tmp_path):
    for name in sorted(PRODUCTION_REQUIRED):
        env = production_environ(tmp_path)
        del env[name]
        result = manage("check", env=env)
        assert result.returncode != 0, explain(result)
        # The reason is the last thing printed, where an operator looks first.
        last_line = result.stderr.strip().splitlines()[-1]
        assert "ImproperlyConfigured" in last_line and name in last_line, last_line
        assert "Traceback" not in result.stderr, explain(result)


# What production answers: a subprocess loads the production settings (they
# are read once per process) and makes requests with Django's test client.
PROBE = """
import json, sys
import django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
call_command("collectstatic", verbosity=0, interactive=False)
client = Client()
answers = {}
for name, path, secure in [
    ("plain_http", "/api/v1/timelines/", False),
    ("api", "/api/v1/timelines/", True),
    ("missing", "/api/v1/nope/", True),
    ("admin_login", "/admin/login/", True),
    ("healthz", "/healthz", False),
]:
    response = client.get(path, secure=secure, headers={"host": "example.org"})
    answers[name] = {
        "status": response.status_code,
        "headers": dict(response.headers),
        "cookies": {key: dict(morsel) for key, morsel in response.cookies.items()},
    }
print(json.dumps(answers))
"""


@pytest.fixture(scope="module")
def production_answers(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("production")
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=production_environ(
            tmp_path,
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, explain(result)
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def test_production_redirects_plain_http_to_https_but_not_the_health_probe(production_answers):
    answers, _ = production_answers
    assert answers["plain_http"]["status"] == 301
    assert answers["plain_http"]["headers"]["Location"] == "https://example.org/api/v1/timelines/"
    assert answers["healthz"]["status"] == 200


def test_production_sends_the_security_headers(production_answers):
    answers, _ = production_answers
    for name in ("api", "admin_login"):
        headers = answers[name]["headers"]
        assert answers[name]["status"] == 200, name
        assert headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        policy = dict(
            directive.strip().split(" ", 1)
            for directive in headers["Content-Security-Policy"].split(";")
        )
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["object-src"] == "'none'"


def test_production_cookies_are_secure(production_answers):
    answers, _ = production_answers
    csrf = answers["admin_login"]["cookies"]["csrftoken"]
    assert csrf["secure"] is True


def test_production_logs_one_json_object_a_line_with_the_request_id(production_answers):
    answers, stderr = production_answers
    records = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    not_found = [r for r in records if r.get("logger") == "django.request"]
    assert not_found, stderr
    (record,) = [r for r in not_found if "/api/v1/nope/" in r["message"]]
    assert record["level"] == "WARNING"
    assert record["request_id"] == answers["missing"]["headers"]["X-Request-ID"]
    assert {"time", "level", "logger", "message", "request_id"} <= set(record)
    # Nothing but JSON: every line a log shipper reads parses.
    assert all(line.startswith("{") for line in stderr.splitlines() if line.strip()), stderr


def test_redis_is_a_bounded_cache_that_evicts(compose):
    command = compose["services"]["redis"]["command"]
    assert command[0] == "redis-server"
    options = dict(zip(command[1::2], command[2::2], strict=True))
    assert options["--maxmemory-policy"] == "allkeys-lru"
    assert options["--maxmemory"].endswith("mb")
    assert options["--appendonly"] == "no"


def test_the_readme_documents_every_variable_settings_reads():
    table = README.read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", table, flags=re.M))
    missing = settings_variables() - documented
    assert not missing, f"README's Configuration table lacks {sorted(missing)}"
