"""``python -m api``: serve the HTTP API with uvicorn, beside ``streamlit run app.py``.

    python -m api                      # api_host:api_port from the settings (127.0.0.1:8502)
    python -m api --host 0.0.0.0 --port 9000

The settings, database and start-up checks are the app's (``api.runtime``); a configuration
the app would refuse is refused here too, with the same message, before the port is opened
(exit code 2; 3 when the database cannot be reached). One process: the per-token rate limit
is counted in it (docs/api.md says what that means behind a load balancer).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

EXIT_CONFIGURATION, EXIT_DATABASE = 2, 3


def main(argv: Sequence[str] | None = None) -> int:
    import uvicorn

    from api.app import create_app
    from api.runtime import load_api_settings, open_state
    from data_access.errors import DatabaseUnavailable
    from data_access.settings import ConfigurationError

    parser = argparse.ArgumentParser(prog="python -m api",
                                     description="Serve the dashboard's read-only HTTP API.")
    parser.add_argument("--host", help="address to listen on (setting api_host)")
    parser.add_argument("--port", type=int, help="port (setting api_port)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                                                   "%(message)s")
    try:
        settings = load_api_settings()
        state = open_state(settings)
    except ConfigurationError as exc:
        print(f"The API cannot start. {exc}", file=sys.stderr)
        return EXIT_CONFIGURATION
    except DatabaseUnavailable as exc:
        print(f"The API cannot start. {exc}", file=sys.stderr)
        return EXIT_DATABASE
    for warning in state.warnings:
        logging.getLogger("api").warning("%s", warning)
    host = args.host or settings.api_host
    port = args.port or settings.api_port
    try:
        uvicorn.run(create_app(state), host=host, port=port, server_header=False,
                    proxy_headers=False, log_level="info")
    finally:
        state.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
