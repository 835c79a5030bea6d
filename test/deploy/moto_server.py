"""Test harness: moto's server with the few actions the AWS provider calls that moto 5.2.1
does not implement. Unimplemented calls answer HTTP 500 and the provider retries them for
minutes, so each one it needs is answered here, as AWS would for this stack.

Usage: python3 test/deploy/moto_server.py PORT   (prints "ready" once it listens)
"""

import json
import sys
import time

from moto.athena.responses import AthenaResponse
from moto.core.responses import ActionResult
from moto.server import ThreadedMotoServer
from moto.stepfunctions.responses import StepFunctionResponse


def validate_state_machine_definition(self):
    # The provider validates the definition before CreateStateMachine; the repository's own
    # tests validate it (asl-validator), so report it valid, as AWS does for a good one.
    return ActionResult({"result": "OK", "diagnostics": [], "truncated": False})


def list_state_machine_versions(self):
    # The stack never publishes versions.
    return ActionResult({"stateMachineVersions": []})


def delete_named_query(self):
    query_id = self._get_param("NamedQueryId")
    self.athena_backend.named_queries.pop(query_id, None)
    return json.dumps({})


StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition
StepFunctionResponse.list_state_machine_versions = list_state_machine_versions
AthenaResponse.delete_named_query = delete_named_query


def main():
    port = int(sys.argv[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
