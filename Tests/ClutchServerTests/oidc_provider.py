"""A real OpenID Connect provider for the single sign-on tests: oidc-provider-mock (PyPI) on
127.0.0.1 with a port of its own choosing, printed as the first line ("PORT n").

It serves discovery, the JWKS, the authorization form (PKCE, state, nonce), the token endpoint,
and `PUT /users/{sub}` to set a user's claims. Nonces are required.
"""

import os
import sys

import werkzeug.serving

os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http on loopback

import oidc_provider_mock  # noqa: E402


def main() -> None:
    app = oidc_provider_mock.app(require_nonce=True)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    print(f"PORT {server.server_port}", flush=True)
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
