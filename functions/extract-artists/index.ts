import { S3ObjectStore } from "../commons/aws/s3-object-store";
import { spotifySecretWriter } from "../commons/aws/spotify-secret-writer";
import { requiredEnv, spotifyAppModeEnv } from "../commons/config";
import { spotifySecretFromSecretsManager } from "../commons/spotify-credentials";
import { createExtractArtistsHandler } from "./handler";

const secretId = requiredEnv("SPOTIFY_SECRET_ID");

export const handler = createExtractArtistsHandler({
  rawStore: new S3ObjectStore(requiredEnv("RAW_BUCKET")),
  spotifySecret: spotifySecretFromSecretsManager(secretId),
  saveRotatedCredentials: spotifySecretWriter(secretId),
  spotifySettings: { appMode: spotifyAppModeEnv() },
});
