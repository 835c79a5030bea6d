import { listEnv, unavailablePlaylistsPolicy } from "../commons/config";
import { createPrepareRunHandler } from "./handler";

export const handler = createPrepareRunHandler({
  defaultPlaylists: listEnv("PLAYLIST_IDS"),
  unavailablePlaylists: unavailablePlaylistsPolicy(),
});
