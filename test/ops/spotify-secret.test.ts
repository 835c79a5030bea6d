// `authorize --stage` and `doctor --stage` (ops/aws/spotify-secret.ts) against the Spotify
// emulator and a Secrets Manager that keeps what is put into it: the authorization stored in
// the stage's secret (the app's client id and secret taken from it when it has them), nothing
// printed that holds a secret, and a refresh token Spotify rotated during the doctor stored
// before the old one is lost.

import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { authorizeIntoSecret, doctorWithSecret } from "../../ops/aws/spotify-secret";
import { SAMPLE_USER_PLAYLIST_IDS } from "../../local/spotify-emulator/sample-data";
import { start } from "../support/emulator-http";
import { freePort } from "../support/local-run";

const SECRET =
  "arn:aws:secretsmanager:eu-west-1:123456789012:secret:spotify-lake-dev/spotify-credentials-AbCdEf";
const smMock = mockClient(SecretsManagerClient);
const secrets = new SecretsManagerClient({ region: "eu-west-1" });

/** The secret's current value; undefined: created by Terraform, no version yet. */
let secretValue: string | undefined;
beforeEach(() => {
  smMock.reset();
  secretValue = undefined;
  smMock.on(GetSecretValueCommand, { SecretId: SECRET }).callsFake(() => {
    if (secretValue === undefined) {
      throw new ResourceNotFoundException({
        message:
          "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
        $metadata: {},
      });
    }
    return { SecretString: secretValue };
  });
  smMock
    .on(PutSecretValueCommand, { SecretId: SECRET })
    .callsFake((input: { SecretString: string }) => {
      secretValue = input.SecretString;
      return {};
    });
});

const browser = async (url: string) => void (await fetch(url));

describe("Function: authorizeIntoSecret", () => {
  it("stores the authorization in the secret with the client id and secret it already held, printing none of them", async () => {
    // Prepare: the operator put the app's id and secret there; no user yet.
    const emulator = await start();
    secretValue = JSON.stringify({
      clientId: emulator.credentials.clientId,
      clientSecret: emulator.credentials.clientSecret,
    });
    const printed: string[] = [];

    // Act
    const stored = await authorizeIntoSecret({
      secrets,
      region: "eu-west-1",
      secretId: SECRET,
      accountsBaseUrl: emulator.accountsBaseUrl,
      redirectUri: `http://127.0.0.1:${await freePort()}/callback`,
      timeoutMs: 5000,
      open: browser,
      print: (line) => printed.push(line),
    });

    // Assess
    const put = JSON.parse(
      smMock.commandCalls(PutSecretValueCommand)[0]!.args[0].input.SecretString!,
    );
    expect(put).toEqual({
      clientId: emulator.credentials.clientId,
      clientSecret: emulator.credentials.clientSecret,
      refreshToken: expect.stringMatching(/^AQ/),
      authorizedAt: expect.any(String),
      scopes: ["playlist-read-private", "playlist-read-collaborative"],
    });
    expect(stored).toEqual(put);
    const output = printed.join("\n");
    expect(output).not.toContain(emulator.credentials.clientSecret);
    expect(output).not.toContain(put.refreshToken);
  });

  it("takes the client id from the environment when the secret has no value yet (PKCE)", async () => {
    const emulator = await start();
    const stored = await authorizeIntoSecret({
      secrets,
      region: "eu-west-1",
      secretId: SECRET,
      clientId: emulator.credentials.clientId,
      accountsBaseUrl: emulator.accountsBaseUrl,
      redirectUri: `http://127.0.0.1:${await freePort()}/callback`,
      timeoutMs: 5000,
      open: browser,
      print: () => {},
    });
    expect(stored.clientSecret).toBeUndefined();
    expect(JSON.parse(secretValue!).refreshToken).toBe(stored.refreshToken);
  });

  it("says what to set when neither the environment nor the secret names the app", async () => {
    await expect(
      authorizeIntoSecret({
        secrets,
        region: "eu-west-1",
        secretId: SECRET,
        accountsBaseUrl: "http://127.0.0.1:9",
        redirectUri: "http://127.0.0.1:8888/callback",
        timeoutMs: 1000,
        open: () => {},
        print: () => {},
      }),
    ).rejects.toThrow(/^Set SPOTIFY_CLIENT_ID .* holds no client id yet\.$/);
    expect(smMock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});

describe("Function: doctorWithSecret", () => {
  it("checks the stage's playlists with the secret's credentials and stores a refresh token Spotify rotated", async () => {
    // Prepare: single-use refresh tokens, as Spotify issues for PKCE.
    const emulator = await start({ rotateRefreshToken: "single-use" });
    const { clientId, clientSecret, refreshToken } = emulator.credentials;
    secretValue = JSON.stringify({
      clientId,
      clientSecret,
      refreshToken,
      authorizedAt: "2026-11-01T00:00:00.000Z",
    });
    const options = {
      secrets,
      region: "eu-west-1",
      secretId: SECRET,
      appMode: "development" as const,
      playlists: SAMPLE_USER_PLAYLIST_IDS.slice(0, 2),
      apiBaseUrl: emulator.apiBaseUrl,
      accountsBaseUrl: emulator.accountsBaseUrl,
      now: new Date("2026-12-01T00:00:00.000Z"),
    };

    // Act
    const first = await doctorWithSecret(options);
    const second = await doctorWithSecret(options);

    // Assess: the second check works only because the rotated token was stored.
    expect(first.ok).toBe(true);
    expect(first.rotatedRefreshTokenStored).toBe(true);
    expect(JSON.parse(secretValue).refreshToken).not.toBe(refreshToken);
    expect(second.ok).toBe(true);
    expect(first.lines.join("\n")).not.toContain(clientSecret);
  });

  it("says to authorize first when the secret has no value", async () => {
    await expect(
      doctorWithSecret({
        secrets,
        region: "eu-west-1",
        secretId: SECRET,
        appMode: "development",
        playlists: [],
      }),
    ).rejects.toThrow(
      `secret ${SECRET} has no value yet: run \`authorize --stage <stage>\` first.`,
    );
  });
});
