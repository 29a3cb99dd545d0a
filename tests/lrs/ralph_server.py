"""Serve a real Ralph LRS (file-system backend) on loopback for the LRS tests.

Run with the Python of the LRS's own virtualenv (``make test-lrs`` builds it): Ralph pins versions
of click and pydantic that must not meet the platform's. This is ``ralph runserver -b fs`` without
its file watcher, plus one correction: Ralph's file-system LRS backend writes each POST in "create"
mode, so every POST after the first fails with "already exists and overwrite is not allowed" (seen
in ralph-malph 4.2 to 5.1). The LRS's statements file is append-only by nature, so the backend is
told to append; validation, authentication, duplicate handling and queries are Ralph's own.

    python ralph_server.py PORT DATA_DIR AUTH_FILE
"""

import os
import sys

port, data_dir, auth_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
os.environ.update(
    {
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": data_dir,
        "RALPH_AUTH_FILE": auth_file,
        "RALPH_APP_DIR": data_dir,
    }
)

import uvicorn  # noqa: E402
from ralph.backends.data.base import BaseOperationType  # noqa: E402
from ralph.backends.lrs.fs import FSLRSBackend  # noqa: E402

FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=port, log_level="warning")
