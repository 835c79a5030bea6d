// Artists by id, the cheapest way the app's quota mode allows: batches of 50 via
// `GET /artists?ids=` (extended mode), or one `GET /artists/{id}` each, a few in parallel
// (development mode, which has no batch endpoint). When the mode is not known, the batch
// endpoint is tried once; a 403/404 there switches to one by one for the client's lifetime.

import type { SpotifyAppMode, SpotifyResponse, SpotifyWarning } from "../../commons/spotify";
import { mapConcurrently } from "../concurrency";
import { isSuccess } from "./answers";
import type { SpotifyApi } from "./api";
import type { Redactor } from "./redaction";

/** `GET /artists?ids=` takes at most 50 ids. */
export const ARTISTS_BATCH_SIZE = 50;

export interface ArtistLookupOptions {
  api: SpotifyApi;
  redactor: Redactor;
  /** Parallel single-artist requests. */
  concurrency: number;
  appMode: SpotifyAppMode | undefined;
  warn: SpotifyWarning;
}

export class ArtistLookup {
  private batchUnavailable: boolean;

  constructor(private readonly options: ArtistLookupOptions) {
    this.batchUnavailable = options.appMode === "development";
  }

  /**
   * Answers for distinct, checked ids, in input order. A 404 for one artist is returned with
   * status 404 for the caller to record as missing.
   */
  async getArtists(ids: readonly string[]): Promise<SpotifyResponse[]> {
    const { api, redactor } = this.options;
    const responses: SpotifyResponse[] = [];
    for (let start = 0; start < ids.length; start += ARTISTS_BATCH_SIZE) {
      if (this.batchUnavailable) {
        responses.push(...(await this.oneByOne(ids.slice(start))));
        break;
      }
      const chunk = ids.slice(start, start + ARTISTS_BATCH_SIZE);
      const result = await api.get(api.url(`/artists?ids=${chunk.join(",")}`));
      if (isSuccess(result.status)) {
        responses.push(result);
        continue;
      }
      if (result.status !== 403 && result.status !== 404) {
        throw redactor.requestError(result, "GET /artists?ids=");
      }
      this.batchUnavailable = true;
      this.options.warn("GET /artists?ids= is unavailable; fetching artists one by one", {
        status: result.status,
      });
      responses.push(...(await this.oneByOne(ids.slice(start))));
      break;
    }
    return responses;
  }

  private async oneByOne(ids: readonly string[]): Promise<SpotifyResponse[]> {
    const { api, redactor, concurrency } = this.options;
    return mapConcurrently(ids, concurrency, async (id) => {
      const result = await api.get(api.url(`/artists/${id}`));
      if (isSuccess(result.status) || result.status === 404) return result;
      throw redactor.requestError(result, "GET /artists/{id}");
    });
  }
}
