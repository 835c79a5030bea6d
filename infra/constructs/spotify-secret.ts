// The Secrets Manager secret holding the Spotify app credentials. Terraform creates the
// secret but never a version: the value is set once with `aws secretsmanager
// put-secret-value` (docs/deployment.md), so it never appears in code, plan or state.

import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { Construct } from "constructs";
import type { StageContext } from "../context";

export class SpotifySecret extends Construct {
  readonly secret: SecretsmanagerSecret;

  constructor(scope: Construct, id: string, context: StageContext) {
    super(scope, id);
    this.secret = new SecretsmanagerSecret(this, "secret", {
      name: `${context.prefix}/spotify-credentials`,
      description:
        'Spotify app credentials as JSON: {"clientId","clientSecret"?,"refreshToken"?,"authorizedAt"?,"scopes"?}, the shape npm run authorize stores (clientSecret optional beside a PKCE refreshToken; the extract functions store a rotated one).',
      // Short enough that a destroyed dev stage can be recreated within a week.
      recoveryWindowInDays: 7,
    });
  }

  get arn(): string {
    return this.secret.arn;
  }
}
