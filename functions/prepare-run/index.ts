import { listEnv } from "../commons/config";
import { createPrepareRunHandler } from "./handler";

export const handler = createPrepareRunHandler({ defaultPlaylists: listEnv("PLAYLIST_IDS") });
