// A stage's Spotify secret from the operator's terminal: `authorize --stage` runs the local
// authorization flow (local/authorize.ts) and stores its result in the secret instead of the
// credentials file; `doctor --stage` runs the access check (local/doctor.ts) with the secret's
// credentials and stores a refresh token Spotify rotated meanwhile (the old one stops
// working). Reads and writes go through the same store the extract Lambdas use. Nothing
// here returns or prints a secret value: only which fields are present.

import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { spotifySecretStore } from "../../functions/commons/aws/spotify-secret-store";
import type { SpotifyAppMode, SpotifyCredentials } from "../../functions/commons/spotify";
import { SpotifyClient } from "../../functions/core/spotify/client";
import { authorize, type AuthorizeOptions } from "../../local/authorize";
import { runDoctor, type DoctorReport } from "../../local/doctor";
import { awsCall, explainAwsError, OpsError } from "../errors";

const context = (region: string, secretId: string) => ({
  region,
  subject: `secret ${secretId}`,
  notFoundHint: "Is the stack deployed in this region (--stage, --region)?",
});

/** The secret's credentials; undefined while it has no value yet (Terraform creates none). */
export async function readStageCredentials(
  secrets: SecretsManagerClient,
  region: string,
  secretId: string,
): Promise<SpotifyCredentials | undefined> {
  const store = spotifySecretStore(secretId, secrets);
  try {
    return await store.load();
  } catch (error) {
    const name = (error as Error).name;
    const message = (error as Error).message;
    // The secret exists but holds no version yet.
    if (name === "ResourceNotFoundException" && /staging label|secret value/i.test(message)) {
      return undefined;
    }
    if (name === "ConfigurationError") {
      throw new OpsError(
        `secret ${secretId} does not hold Spotify credentials: ${message}. ` +
          "Run `authorize --stage <stage>` to store them.",
      );
    }
    throw explainAwsError(error, context(region, secretId));
  }
}

export interface AuthorizeIntoSecretOptions extends Omit<
  AuthorizeOptions,
  "clientId" | "clientSecret" | "credentialsFile" | "save"
> {
  secrets: SecretsManagerClient;
  region: string;
  secretId: string;
  /** From the environment (SPOTIFY_CLIENT_ID...); else what the secret already holds. */
  clientId?: string;
  clientSecret?: string;
}

/** Runs the flow and stores the credentials in the secret; returns what was stored (never print it). */
export async function authorizeIntoSecret(
  options: AuthorizeIntoSecretOptions,
): Promise<SpotifyCredentials> {
  const { secrets, region, secretId, ...flow } = options;
  const existing = options.clientId
    ? undefined
    : await readStageCredentials(secrets, region, secretId);
  const clientId = options.clientId ?? existing?.clientId;
  if (!clientId) {
    throw new OpsError(
      `Set SPOTIFY_CLIENT_ID (and SPOTIFY_CLIENT_SECRET, or leave it unset for PKCE): secret ` +
        `${secretId} holds no client id yet.`,
    );
  }
  // The app's secret stays where it was unless a new one is given.
  const clientSecret = options.clientId ? options.clientSecret : existing?.clientSecret;
  const store = spotifySecretStore(secretId, secrets);
  return authorize({
    ...flow,
    clientId,
    ...(clientSecret ? { clientSecret } : {}),
    credentialsFile: "",
    save: (credentials) => awsCall(context(region, secretId), () => store.save(credentials)),
  });
}

export interface DoctorWithSecretOptions {
  secrets: SecretsManagerClient;
  region: string;
  secretId: string;
  appMode: SpotifyAppMode;
  playlists: readonly string[];
  /** Spotify's API and accounts service (an emulator in tests); default the real ones. */
  apiBaseUrl?: string;
  accountsBaseUrl?: string;
  now?: Date;
}

export async function doctorWithSecret(
  options: DoctorWithSecretOptions,
): Promise<DoctorReport & { rotatedRefreshTokenStored: boolean }> {
  const credentials = await readStageCredentials(options.secrets, options.region, options.secretId);
  if (!credentials) {
    throw new OpsError(
      `secret ${options.secretId} has no value yet: run \`authorize --stage <stage>\` first.`,
    );
  }
  let client: SpotifyClient;
  try {
    client = new SpotifyClient({
      appMode: options.appMode,
      credentials,
      ...(options.apiBaseUrl ? { apiBaseUrl: options.apiBaseUrl } : {}),
      ...(options.accountsBaseUrl ? { accountsBaseUrl: options.accountsBaseUrl } : {}),
    });
  } catch (error) {
    throw new OpsError(`the credentials in secret ${options.secretId} ${(error as Error).message}`);
  }
  const report = await runDoctor({
    client,
    credentials,
    appMode: options.appMode,
    playlists: options.playlists,
    ...(options.now ? { now: options.now } : {}),
  });
  const rotated = client.rotatedRefreshToken;
  if (rotated) {
    const store = spotifySecretStore(options.secretId, options.secrets);
    await awsCall(context(options.region, options.secretId), () =>
      store.save({ ...credentials, refreshToken: rotated }),
    );
  }
  return { ...report, rotatedRefreshTokenStored: rotated !== undefined };
}
