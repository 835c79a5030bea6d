import { S3ObjectStore } from "../commons/aws/s3-object-store";
import { spotifySecretStore } from "../commons/aws/spotify-secret-store";
import { artistMaxAgeHoursEnv, requiredEnv, spotifyAppModeEnv } from "../commons/config";
import { spotifySecretFromSecretsManager } from "../commons/spotify-credentials";
import { createExtractArtistsHandler } from "./handler";

const secretId = requiredEnv("SPOTIFY_SECRET_ID");

export const handler = createExtractArtistsHandler({
  rawStore: new S3ObjectStore(requiredEnv("RAW_BUCKET")),
  spotifySecret: spotifySecretFromSecretsManager(secretId),
  credentialsStore: spotifySecretStore(secretId),
  spotifySettings: { appMode: spotifyAppModeEnv() },
  artistMaxAgeHours: artistMaxAgeHoursEnv(),
});
