// A sample that lives: the catalogue as it stands at a snapshot hour. The generated sample is
// the catalogue at EVOLUTION_EPOCH; every hour after it, each playlist changes with a given
// probability (default 10%): a few entries are added (some of them songs released that hour,
// some by artists new that hour), removed and moved, and its snapshot_id changes with its
// entries; the others keep theirs. Followers drift every hour. Everything is a function of
// (seed, hour, rate) drawn from seeded streams, never of a clock: the same hour always gives
// the same catalogue, whichever hours were asked before.
//
// Cost: a playlist's state at hour H replays its own changes since the epoch (about rate x
// hours of them, each touching a few entries), so building an hour a month after the epoch
// takes milliseconds per hundred playlists.

import { hashString, Rng } from "./seeded-random";
import { sampleId, sampleSnapshotId, SAMPLE_SEED } from "./sample-data";
import type {
  CataloguePlaylist,
  SpotifyArtist,
  SpotifyCatalogue,
  SpotifyPlaylistEntry,
  SpotifyTrack,
} from "./types";

/** The generated sample is the catalogue of this hour and of every hour before it. */
export const EVOLUTION_EPOCH = "2026-11-01T00:00:00.000Z";
export const DEFAULT_CHANGE_RATE = 0.1;

const HOUR_MS = 3_600_000;
/** Songs released each hour (new tracks, each its own single). */
const NEW_TRACKS_PER_HOUR = 2;
/** Chance that an hour brings a new artist, who sings that hour's first new song. */
const NEW_ARTIST_CHANCE = 0.5;
/** Indexes of evolved objects start here, far beyond the sample's pools. */
const EVOLVED_INDEX_BASE = 1_000_000;
/** How long a released song counts as new for the playlists that add songs. */
const NEW_SONG_WINDOW_HOURS = 24;
const API = "https://api.spotify.com/v1";
const OPEN = "https://open.spotify.com";

export interface EvolutionOptions {
  /** The snapshot hour (ISO 8601 with zone); hours at or before the epoch give the sample. */
  hour: string;
  /** Probability that a playlist changes in a given hour, 0 to 1 (default 0.1). */
  changeRate?: number;
  /** The sample's seed (default SAMPLE_SEED): new ids come from the same id space. */
  seed?: number;
}

/** Whole hours from the epoch to `hour` (0 at or before the epoch). */
export function hoursSinceEpoch(hour: string): number {
  const ms = Date.parse(hour);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO time: ${JSON.stringify(hour)}`);
  return Math.max(0, Math.floor((ms - Date.parse(EVOLUTION_EPOCH)) / HOUR_MS));
}

/** Whether the playlist changes in hour `h` (counted from the epoch, h >= 1). */
export function changesAt(seed: number, playlistId: string, h: number, rate: number): boolean {
  return hashString(`${seed}:change:${playlistId}:${h}`) / 4294967296 < rate;
}

/** `base` (the generated sample) as it stands at `options.hour`. Never mutates `base`. */
export function catalogueAt(base: SpotifyCatalogue, options: EvolutionOptions): SpotifyCatalogue {
  const rate = options.changeRate ?? DEFAULT_CHANGE_RATE;
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`change rate must be 0 to 1, got ${rate}`);
  const seed = options.seed ?? SAMPLE_SEED;
  const hours = hoursSinceEpoch(options.hour);
  if (hours === 0) return base;
  const world = new World(seed, base);
  const newArtists: SpotifyArtist[] = [];
  for (let h = 1; h <= hours; h++) {
    const artist = world.artistOf(h);
    if (artist) newArtists.push(artist);
  }
  return {
    playlists: base.playlists.map((p) => evolvePlaylist(world, p, hours, rate)),
    artists: [...base.artists, ...newArtists],
  };
}

/** The songs and artists the hours release, drawn per hour (no hour depends on another). */
class World {
  private readonly templates: SpotifyTrack[];
  private readonly released = new Map<number, SpotifyTrack[]>();
  private readonly recent = new Map<number, SpotifyTrack[]>();

  constructor(
    readonly seed: number,
    base: SpotifyCatalogue,
  ) {
    // Songs of the sample that new ones are modelled on, and that playlists add.
    const seen = new Map<string, SpotifyTrack>();
    for (const p of base.playlists) {
      for (const e of p.entries) {
        const item = e.item;
        if (item?.type === "track" && !item.is_local && item.id && item.album.id) {
          seen.set(item.id, item);
        }
      }
    }
    this.templates = [...seen.values()].sort((a, b) => (a.id! < b.id! ? -1 : 1));
  }

  get catalogueTracks(): readonly SpotifyTrack[] {
    return this.templates;
  }

  artistOf(h: number): SpotifyArtist | undefined {
    const rng = new Rng(this.seed, `evolve:artist:${h}`);
    if (!rng.chance(NEW_ARTIST_CHANCE)) return undefined;
    const id = sampleId(this.seed, "artist", EVOLVED_INDEX_BASE + h);
    const genres = rng.chance(0.4) ? [] : [rng.pick(["hyperpop", "afrobeats", "indie", "jazz"])];
    return {
      external_urls: { spotify: `${OPEN}/artist/${id}` },
      followers: { href: null, total: rng.int(50, 20_000) },
      genres,
      href: `${API}/artists/${id}`,
      id,
      images: [],
      name: `${rng.pick(["Nova", "Juno", "Orla", "Kenji", "Sade", "Milo"])} ${rng.pick(["Vale", "Reyes", "Ito", "Okoro", "Lind"])}`,
      popularity: rng.int(5, 40),
      type: "artist",
      uri: `spotify:artist:${id}`,
    };
  }

  /** The songs that count as new in hour `h`: released in the day up to it. */
  newSongsAt(h: number): SpotifyTrack[] {
    let songs = this.recent.get(h);
    if (!songs) {
      songs = [];
      for (let k = Math.max(1, h - NEW_SONG_WINDOW_HOURS + 1); k <= h; k++) {
        songs.push(...this.songsOf(k));
      }
      this.recent.set(h, songs);
    }
    return songs;
  }

  /** The songs released in hour `h`. */
  songsOf(h: number): SpotifyTrack[] {
    const cached = this.released.get(h);
    if (cached) return cached;
    const newArtist = this.artistOf(h);
    const songs = Array.from({ length: NEW_TRACKS_PER_HOUR }, (_, j) => {
      const rng = new Rng(this.seed, `evolve:song:${h}:${j}`);
      const template = rng.pick(this.templates);
      const index = EVOLVED_INDEX_BASE + h * NEW_TRACKS_PER_HOUR + j;
      const id = sampleId(this.seed, "track", index);
      const albumId = sampleId(this.seed, "album", index);
      const artists =
        j === 0 && newArtist
          ? [
              {
                external_urls: newArtist.external_urls,
                href: newArtist.href,
                id: newArtist.id,
                name: newArtist.name,
                type: "artist" as const,
                uri: newArtist.uri,
              },
            ]
          : template.artists;
      const name = `${rng.pick(["Afterglow", "Static Hearts", "Blue Hour", "Overpass", "Tidal"])} ${h}`;
      const day = new Date(Date.parse(EVOLUTION_EPOCH) + h * HOUR_MS).toISOString().slice(0, 10);
      return {
        ...template,
        album: {
          ...template.album,
          album_type: "single",
          artists,
          external_urls: { spotify: `${OPEN}/album/${albumId}` },
          href: `${API}/albums/${albumId}`,
          id: albumId,
          name,
          release_date: day,
          release_date_precision: "day",
          total_tracks: 1,
          uri: `spotify:album:${albumId}`,
        },
        artists,
        disc_number: 1,
        duration_ms: rng.int(120_000, 300_000),
        external_ids: { isrc: `QZ${String(index).padStart(10, "0")}` },
        external_urls: { spotify: `${OPEN}/track/${id}` },
        href: `${API}/tracks/${id}`,
        id,
        name,
        popularity: rng.int(10, 60),
        track_number: 1,
        uri: `spotify:track:${id}`,
      } satisfies SpotifyTrack;
    });
    this.released.set(h, songs);
    return songs;
  }
}

const isPlainTrack = (e: SpotifyPlaylistEntry) =>
  e.item?.type === "track" && !e.item.is_local && e.item.id !== null;

function evolvePlaylist(
  world: World,
  base: CataloguePlaylist,
  hours: number,
  rate: number,
): CataloguePlaylist {
  const { seed } = world;
  const id = base.playlist.id;
  const baseFollowers = base.playlist.followers.total;
  // Followers drift every hour, changed or not: slow growth plus hourly noise.
  const noise = new Rng(seed, `evolve:followers:${id}:${hours}`).int(
    0,
    Math.ceil(baseFollowers / 500),
  );
  const followers = baseFollowers + Math.floor((baseFollowers * hours) / 20_000) + noise;
  let entries = base.entries;
  // Empty and one-song playlists are left alone: nobody edits them.
  if (base.entries.length >= 2) {
    for (let h = 1; h <= hours; h++) {
      if (changesAt(seed, id, h, rate)) entries = edit(world, base, entries, h);
    }
  }
  return {
    ...base,
    playlist: {
      ...base.playlist,
      followers: { ...base.playlist.followers, total: followers },
      snapshot_id:
        entries === base.entries ? base.playlist.snapshot_id : sampleSnapshotId(id, entries),
    },
    entries,
  };
}

/** Hour `h`'s change of a playlist: some songs added, some removed, some moved. */
function edit(
  world: World,
  base: CataloguePlaylist,
  current: SpotifyPlaylistEntry[],
  h: number,
): SpotifyPlaylistEntry[] {
  const rng = new Rng(world.seed, `evolve:edit:${base.playlist.id}:${h}`);
  const entries = [...current];
  const target = base.entries.length;
  // Removals only take plain songs, so a playlist keeps its odd entries (nulls, episodes,
  // local files); sizes stay near the playlist's original one.
  let removals = rng.int(1, 3) + (entries.length > target * 1.2 ? 2 : 0);
  let additions = rng.int(1, 3) + (entries.length < target * 0.8 ? 2 : 0);
  const moves = rng.int(0, 2);
  while (removals-- > 0) {
    const plain: number[] = [];
    for (let i = 0; i < entries.length; i++) if (isPlainTrack(entries[i]!)) plain.push(i);
    if (plain.length <= 1) break;
    entries.splice(rng.pick(plain), 1);
  }
  const present = new Set<string | null | undefined>();
  for (const e of entries) present.add(e.item?.id);
  const adder = current[rng.int(0, current.length - 1)]!.added_by;
  const fresh = world.newSongsAt(h);
  const hourStart = Date.parse(EVOLUTION_EPOCH) + h * HOUR_MS;
  for (let guard = 0; additions > 0 && guard < 20; guard++) {
    const pool = rng.chance(0.4) ? fresh : world.catalogueTracks;
    const song = pool[rng.skewed(pool.length)];
    if (!song || present.has(song.id)) continue;
    present.add(song.id);
    additions--;
    // Added during the hour before the snapshot; most songs go at the end.
    const addedAt = new Date(hourStart - rng.int(60, 3_540) * 1000).toISOString();
    const entry: SpotifyPlaylistEntry = {
      added_at: addedAt.replace(".000Z", "Z"),
      added_by: adder ?? null,
      is_local: false,
      item: song,
      primary_color: null,
      video_thumbnail: { url: null },
    };
    entries.splice(rng.chance(0.7) ? entries.length : rng.int(0, entries.length), 0, entry);
  }
  for (let m = 0; m < moves && entries.length > 1; m++) {
    const [moved] = entries.splice(rng.int(0, entries.length - 1), 1);
    entries.splice(rng.int(0, entries.length), 0, moved!);
  }
  return entries;
}
