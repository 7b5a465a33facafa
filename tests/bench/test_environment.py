"""The bench runs the service with production settings: it must set what they require."""

import subprocess
import sys

from django.conf import settings

from bench.common import app_environment
from tests.test_deploy import PRODUCTION_REQUIRED, settings_required_variables


def test_the_bench_sets_every_variable_production_requires(tmp_path):
    env = app_environment(tmp_path, "postgres://postgres@127.0.0.1:1/bench")

    assert settings_required_variables() <= set(env)
    assert set(env) >= PRODUCTION_REQUIRED
    # And the settings load with it: what `migrate` failed on when one was missing.
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
