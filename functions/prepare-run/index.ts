import { S3ObjectStore } from "../commons/aws/s3-object-store";
import {
  extractSettingsEnv,
  listEnv,
  requiredEnv,
  unavailablePlaylistsPolicy,
} from "../commons/config";
import { createPrepareRunHandler } from "./handler";

const playlistsObjectKey = process.env.PLAYLISTS_OBJECT_KEY?.trim();

export const handler = createPrepareRunHandler({
  rawStore: new S3ObjectStore(requiredEnv("RAW_BUCKET")),
  defaultPlaylists: listEnv("PLAYLIST_IDS"),
  ...(playlistsObjectKey ? { playlistsObjectKey } : {}),
  unavailablePlaylists: unavailablePlaylistsPolicy(),
  extractSettings: extractSettingsEnv(),
});
