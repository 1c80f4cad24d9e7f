"""Fuzz the API against its own OpenAPI schema (schemathesis), once with a demo buyer's
token and once with a demo merchant's.

A throw-away SQLite database is migrated and loaded with the demo data; the app is called
in-process (WSGI), so nothing listens on a port. Any 5xx, any response that the schema does
not describe (status, content type, body), any valid request refused or invalid request
accepted is a failure: the script prints each one and a summary, and exits 1.

    .venv/bin/python .ci/schema_fuzz.py [--max-examples N] [--only buyer|merchant]

Settings: .ci/schemathesis.toml; hooks: .ci/schema_fuzz_hooks.py.
"""

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
ROLES = {"buyer": "buyer_a", "merchant": "merchant_a"}


def _prepare_environment(database: Path) -> None:
    os.environ["DEBUG"] = "1"
    os.environ["API_DOCS_PUBLIC"] = "1"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["MEDIA_ROOT"] = str(database.parent / "media")
    os.environ["ALLOWED_HOSTS"] = "localhost,testserver"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))


def _setup_database() -> None:
    from io import StringIO

    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", verbosity=0, stdout=StringIO())


def _token(client, username: str) -> str:
    from django.conf import settings

    response = client.post(
        "/api/auth/token/",
        {"username": username, "password": settings.DEMO_PASSWORD},
        content_type="application/json",
    )
    if response.status_code != 200:
        raise SystemExit(f"could not get a token for {username}: {response.status_code}")
    return response.json()["token"]


def _describe(check) -> str:
    failure = check.failure_info.failure
    title = getattr(failure, "title", type(failure).__name__)
    message = (getattr(failure, "message", "") or "").strip().splitlines()
    return f"{check.name}: {title}" + (f" — {message[0][:300]}" if message else "")


def _sample(recorder, check) -> str:
    """The request that failed, and what the API answered."""
    sample = check.failure_info.code_sample
    interaction = recorder.interactions.get(check.failure_info.failure.case_id or "")
    if interaction is not None and interaction.response is not None:
        body = (interaction.response.content or b"")[:300].decode("utf-8", "replace")
        sample += f"\n-> {interaction.response.status_code} {body}"
    return sample


def _run(app, config_path: Path, role: str, token: str, max_examples: int | None) -> dict:
    import schema_fuzz_hooks  # noqa: F401  (registers the hooks)
    import schemathesis
    from schemathesis import engine
    from schemathesis.config import SchemathesisConfig
    from schemathesis.engine import events

    config = SchemathesisConfig.from_path(config_path)
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app, config=config)
    schema.config.update(headers={"Authorization": f"Token {token}"})
    if max_examples:
        schema.config.generation.update(max_examples=max_examples)

    failures: dict[str, dict[str, str]] = defaultdict(dict)
    operations: set[str] = set()
    errors: list[str] = []
    cases = 0
    for event in engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished) and event.label:
            operations.add(event.label)
            cases += len(event.recorder.cases)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.failure_info is not None:
                        failures[event.label].setdefault(
                            _describe(check), _sample(event.recorder, check))
        elif isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.info.format()}"[:1000])
        elif isinstance(event, events.FatalError):
            errors.append(f"fatal: {event.exception!r}")
    return {"role": role, "failures": failures, "errors": errors,
            "operations": len(operations), "cases": cases}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=None)
    parser.add_argument("--only", choices=sorted(ROLES), default=None)
    parser.add_argument("--config", default=str(HERE / "schemathesis.toml"))
    parser.add_argument("--verbose", action="store_true",
                        help="show a request that reproduces each failure")
    args = parser.parse_args()

    started = time.monotonic()
    # In memory where there is a tmpfs: the run writes a lot and needs none of it kept.
    shm = Path("/dev/shm")  # noqa: S108 - only the parent of a private mkdtemp directory
    where = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="schema-fuzz-", dir=where) as tmp:
        _prepare_environment(Path(tmp) / "fuzz.sqlite3")
        import django

        django.setup()
        _setup_database()

        from django.conf import settings
        from django.core.wsgi import get_wsgi_application
        from django.test import Client

        # The demo data needs DEBUG; the answers are checked as production gives them
        # (the JSON error pages, not Django's debug pages).
        settings.DEBUG = False

        app = get_wsgi_application()
        client = Client()
        results = []
        for role, username in ROLES.items():
            if args.only and role != args.only:
                continue
            token = _token(client, username)
            results.append(_run(app, Path(args.config), role, token, args.max_examples))

    failed = False
    print()
    for result in results:
        count = sum(len(v) for v in result["failures"].values())
        print(f"== {result['role']} token: {result['operations']} operations, "
              f"{result['cases']} cases, {count} distinct failures, "
              f"{len(result['errors'])} errors")
        for label in sorted(result["failures"]):
            for line, sample in sorted(result["failures"][label].items()):
                print(f"  FAIL {label}: {line}")
                if args.verbose:
                    print("    " + sample.replace("\n", "\n    "))
        for line in result["errors"]:
            print(f"  ERROR {line}")
        failed = failed or bool(count or result["errors"])
    print(f"schema fuzz: {'FAILED' if failed else 'ok'} in {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
