"""Shared pytest fixtures for the workbench test suite."""

try:
    from _model_servers import *  # noqa: F401,F403 - openai_server, anthropic_server fixtures
except ImportError:  # pragma: no cover - the helper module is optional while the suite is being assembled
    pass

try:
    from _ws_fixtures import *  # noqa: F401,F403 - git_home, wb, wb_proc, workspace, seeded fixtures
except ImportError:  # pragma: no cover
    pass

try:
    from _lean_fixtures import *  # noqa: F401,F403 - lean_bin, lean_toolchain, lean_fixtures
except ImportError:  # pragma: no cover
    pass
