import { S3ObjectStore } from "../commons/aws/s3-object-store";
import { requiredEnv } from "../commons/config";
import { spotifySecretFromSecretsManager } from "../commons/spotify-credentials";
import { createExtractPlaylistHandler } from "./handler";

export const handler = createExtractPlaylistHandler({
  rawStore: new S3ObjectStore(requiredEnv("RAW_BUCKET")),
  spotifySecret: spotifySecretFromSecretsManager(requiredEnv("SPOTIFY_SECRET_ID")),
});
