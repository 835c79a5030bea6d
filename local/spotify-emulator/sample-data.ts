// Deterministic, realistic Spotify sample catalogue for the local emulator, the pipeline's
// end-to-end tests and benchmarks. Everything derives from a seed through a seeded PRNG
// (mulberry32, in seeded-random.ts): no Math.random, no clock, so the same options always
// give the same catalogue.
// The default sample contains every quirk the pipeline must survive (see
// /work/shared/notes/spotify-web-api-2026.md): null entries, episodes, local files, empty
// image lists, year/month/day release dates, hostile Unicode names, null added_at, duplicate
// tracks, artists without genres. It describes the data as an extended-quota app sees it;
// the catalogue routes strip what development mode does not return.

import { createHash } from "node:crypto";
import { hashString, mulberry32, Rng } from "./seeded-random";
import type {
  CataloguePlaylist,
  ReleaseDatePrecision,
  SpotifyArtist,
  SpotifyCatalogue,
  SpotifyEpisode,
  SpotifyImage,
  SpotifyPlaylist,
  SpotifyPlaylistEntry,
  SpotifyPrivateUser,
  SpotifySimplifiedAlbum,
  SpotifySimplifiedArtist,
  SpotifySimplifiedShow,
  SpotifyTrack,
  SpotifyUser,
} from "./types";

export const SAMPLE_SEED = 20261122;
/** Playlists per unit of `scale`; scale N repeats the same 24 shapes with fresh content. */
export const SAMPLE_PLAYLISTS_PER_SCALE = 24;
const ARTIST_POOL = 150;
const ALBUM_POOL = 250;
const TRACK_POOL = 900;
const SHOW_POOL = 3;
const EPISODE_POOL = 12;
/** No generated timestamp is later than this, so the sample never depends on today's date. */
const LATEST_INSTANT_S = Date.UTC(2026, 9, 31, 23, 59, 59) / 1000;
const API = "https://api.spotify.com/v1";
const OPEN = "https://open.spotify.com";

// ---------------------------------------------------------------------------------------
// Ids

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ID_KINDS = ["playlist", "artist", "album", "track", "show", "episode"] as const;
export type SampleIdKind = (typeof ID_KINDS)[number];
// The last 6 characters encode (kind, index) through an affine bijection of [0, 62^6), so
// ids are unique by construction (not merely unlikely to collide) while still looking random.
const SUFFIX_SPACE = 62n ** 6n;
const KIND_STRIDE = 4_000_000_000;
const SUFFIX_MULTIPLIER = 35_104_488_073n; // ~0.618 * 62^6; odd, not a multiple of 31

/** The 22-character base-62 id of the `index`-th object of `kind` in the sample for `seed`. */
export function sampleId(seed: number, kind: SampleIdKind, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= KIND_STRIDE) {
    throw new RangeError(`sample id index out of range: ${index}`);
  }
  const rng = mulberry32(hashString(`${seed}:id:${kind}:${index}`));
  let id = "";
  for (let i = 0; i < 16; i++) id += BASE62[Math.floor(rng() * 62)];
  const x = BigInt(ID_KINDS.indexOf(kind) * KIND_STRIDE + index);
  const offset = BigInt(hashString(`${seed}:suffix:a`)) * BigInt(hashString(`${seed}:suffix:b`));
  let n = Number((x * SUFFIX_MULTIPLIER + offset) % SUFFIX_SPACE);
  for (let i = 0; i < 6; i++) {
    id += BASE62[n % 62];
    n = Math.floor(n / 62);
  }
  return id;
}

// ---------------------------------------------------------------------------------------
// Vocabulary. The first names of each list are the hostile ones, so they are always used.

const SPECIAL_ARTIST_NAMES = [
  'Sigrún & the "Northern" Lights',
  "Earth, Wind & Lanterns",
  "Guns N' Violets",
  "宇多田ミナ",
  "🌙 Moonchild",
  "Ólafur Bjørnsson",
  "Zoë Dubois",
  "방탄 Echo",
];
// prettier-ignore
const NAME_ADJECTIVES = [
  "Velvet", "Neon", "Paper", "Silver", "Midnight", "Golden", "Electric", "Hollow", "Crystal",
  "Wild", "Lunar", "Static", "Amber", "Violet", "Northern", "Glass", "Quiet", "Radio",
  "Cosmic", "Copper", "Urban", "Saint", "Little", "Black", "Pale", "Royal", "Secret",
];
// prettier-ignore
const NAME_NOUNS = [
  "Harbor", "Echoes", "Foxes", "Lanterns", "Tigers", "Parade", "Satellites", "Rivers",
  "Machines", "Daughters", "Ghosts", "Youth", "Orchestra", "Pilots", "Garden", "Collective",
  "Club", "Horizon", "Sound System", "Cathedral", "Wolves", "Drive", "Avenue", "Circus",
];
// prettier-ignore
const FIRST_NAMES = [
  "Mara", "Jonas", "Aiko", "José", "Lena", "Kwame", "Ines", "Mikko", "Priya", "Tomás",
  "Freya", "Dmitri", "Amara", "Luca", "Sofía", "Hiro", "Nadia", "Oscar", "Yara", "Emil",
];
// prettier-ignore
const LAST_NAMES = [
  "Lindqvist", "Ekberg", "Tanaka", "Álvarez", "Kaur", "Mensah", "Moreau", "Virtanen",
  "Sharma", "Ortega", "Holm", "Volkov", "Okafor", "Bianchi", "Castillo", "Mori", "Haddad",
  "Berg", "Nascimento", "Novak",
];
const SPECIAL_TRACK_NAMES = [
  "Don't Stop, Won't Stop",
  'Say "Hello" to the Night',
  "First Line\nSecond Line",
  "夜に駆ける (Night Run)",
  "Café Ñandú",
  "🔥 Fire in the Booth 🔥",
  "Back\\slash, Tab\tand Quote'",
  "Ça va, ça vient",
];
// prettier-ignore
const TITLE_WORDS_A = [
  "Golden", "Broken", "Endless", "Summer", "Paper", "Silent", "Falling", "Electric", "Lost",
  "Burning", "Blue", "Sweet", "Midnight", "Lonely", "Wild", "Dancing", "Holy", "Slow",
];
// prettier-ignore
const TITLE_WORDS_B = [
  "Hours", "Rain", "Hearts", "Lights", "Roads", "Dreams", "Waves", "City", "Fire", "Stars",
  "Machine", "Letters", "Mirrors", "Smoke", "Gravity", "Shadows", "Motion", "Tides",
];
const TITLE_PATTERNS = [
  (a: string, b: string) => `${a} ${b}`,
  (a: string, b: string) => `${b} of ${a} Days`,
  (a: string, b: string) => `${a} ${b} - Remastered 2011`,
  (a: string, b: string) => `${a} ${b} (Acoustic)`,
  (a: string, b: string) => `Into the ${b}`,
  (a: string, _b: string) => `${a}`,
  (a: string, b: string) => `${b}, ${b}, ${b}`,
  (a: string, b: string) => `${a} ${b} - Radio Edit`,
];
const SPECIAL_ALBUM_NAMES = ["Greatest Hits, Vol. 2", 'The "Lost" Tapes', "Live at the Roundhouse"];
// prettier-ignore
const GENRES = [
  "indie pop", "synthwave", "swedish pop", "j-pop", "k-pop", "neo soul", "alt z",
  "bedroom pop", "chillhop", "lo-fi beats", "dream pop", "art rock", "afrobeats", "reggaeton",
  "french house", "nu jazz", "post-punk", "shoegaze", "hyperpop", "latin pop", "indie folk",
  "drum and bass", "uk garage", "city pop", "nordic folk", "modern blues",
];
// prettier-ignore
const MARKETS = [
  "AR", "AU", "BR", "CA", "DE", "ES", "FR", "GB", "IN", "IT", "JP", "KR", "MX", "NL", "PL",
  "SE", "US", "ZA",
];
const ISRC_COUNTRIES = ["US", "GB", "SE", "JP", "FR", "DE", "BR", "KR", "NG", "IS"];

// ---------------------------------------------------------------------------------------
// Object builders

// Spotify's CDN names an image by a size code followed by a content hash.
const IMAGE_CODES = {
  album: [
    ["ab67616d0000b273", 640],
    ["ab67616d00001e02", 300],
    ["ab67616d00004851", 64],
  ],
  artist: [
    ["ab6761610000e5eb", 640],
    ["ab67616100005174", 320],
    ["ab6761610000f178", 160],
  ],
  show: [
    ["ab6765630000ba8a", 640],
    ["ab67656300005f1f", 300],
    ["ab6765630000f68d", 64],
  ],
} as const;

const images = (rng: Rng, kind: keyof typeof IMAGE_CODES): SpotifyImage[] => {
  const hash = rng.hex(24);
  return IMAGE_CODES[kind].map(([code, size]) => ({
    height: size,
    url: `https://i.scdn.co/image/${code}${hash}`,
    width: size,
  }));
};

function userId(seed: number, index: number): string {
  // Modern Spotify user ids: "31" followed by 26 lowercase base-32 characters.
  const rng = new Rng(seed, `user:${index}`);
  let id = "31";
  for (let i = 0; i < 26; i++) id += "abcdefghijklmnopqrstuvwxyz234567"[rng.int(0, 31)];
  return id;
}

const USER_NAMES = ["Lena Kaur", "Tomás Ortega", "Yuki Sato", "Ada O'Neill", "dj_mikko"];

function userRef(seed: number, index: number, withDisplayName: boolean): SpotifyUser {
  const id = userId(seed, index);
  return {
    ...(withDisplayName ? { display_name: USER_NAMES[index % USER_NAMES.length]! } : {}),
    external_urls: { spotify: `${OPEN}/user/${id}` },
    href: `${API}/users/${id}`,
    id,
    type: "user",
    uri: `spotify:user:${id}`,
  };
}

/** The user whose refresh token the emulator hands out; owns most sample playlists. */
export const SAMPLE_USER_ID = userId(SAMPLE_SEED, 0);

const artistRef = (a: SpotifyArtist): SpotifySimplifiedArtist => ({
  external_urls: a.external_urls,
  href: a.href,
  id: a.id,
  name: a.name,
  type: "artist",
  uri: a.uri,
});

function buildArtists(seed: number): SpotifyArtist[] {
  const rng = new Rng(seed, "artists");
  const used = new Set<string>();
  const artists: SpotifyArtist[] = [];
  for (let i = 0; i < ARTIST_POOL; i++) {
    let name = SPECIAL_ARTIST_NAMES[i];
    while (name === undefined || used.has(name)) {
      name = rng.chance(0.5)
        ? `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`
        : `${rng.chance(0.4) ? "The " : ""}${rng.pick(NAME_ADJECTIVES)} ${rng.pick(NAME_NOUNS)}`;
    }
    used.add(name);
    const id = sampleId(seed, "artist", i);
    // About a third of artists have no genres (index 2 always, so the quirk is guaranteed).
    const genreCount = i === 2 || rng.chance(0.3) ? 0 : rng.int(1, 4);
    const genres = new Set<string>();
    while (genres.size < genreCount) genres.add(rng.pick(GENRES));
    const popularity = Math.max(0, Math.min(100, 88 - Math.floor(i / 2) + rng.int(-6, 6)));
    artists.push({
      external_urls: { spotify: `${OPEN}/artist/${id}` },
      followers: { href: null, total: Math.floor(12_000_000 / (1 + i) ** 1.3) + rng.int(0, 999) },
      genres: [...genres].sort(),
      href: `${API}/artists/${id}`,
      id,
      images: i === 5 || rng.chance(0.04) ? [] : images(rng, "artist"),
      name,
      popularity,
      type: "artist",
      uri: `spotify:artist:${id}`,
    });
  }
  return artists;
}

interface PoolAlbum {
  album: SpotifySimplifiedAlbum;
  mainArtists: SpotifyArtist[];
  poolTrackCount: number;
}

function releaseDate(rng: Rng, index: number): { date: string; precision: ReleaseDatePrecision } {
  const year = rng.int(1968, 2026);
  const month = year === 2026 ? rng.int(1, 9) : rng.int(1, 12);
  const day = rng.int(1, 28);
  const mm = String(month).padStart(2, "0");
  // Albums 0 and 1 pin the rare precisions so every sample has them.
  const precision: ReleaseDatePrecision =
    index === 0
      ? "year"
      : index === 1
        ? "month"
        : rng.chance(0.08)
          ? "year"
          : rng.chance(0.07)
            ? "month"
            : "day";
  if (precision === "year") return { date: String(year), precision };
  if (precision === "month") return { date: `${year}-${mm}`, precision };
  return { date: `${year}-${mm}-${String(day).padStart(2, "0")}`, precision };
}

function buildAlbums(seed: number, artists: SpotifyArtist[]): PoolAlbum[] {
  const rng = new Rng(seed, "albums");
  const albums: PoolAlbum[] = [];
  for (let i = 0; i < ALBUM_POOL; i++) {
    // Each artist leads at least one album, so every pooled artist is credited somewhere.
    const lead = i < ARTIST_POOL ? artists[i]! : artists[rng.skewed(ARTIST_POOL)]!;
    const mainArtists = [lead];
    if (rng.chance(0.08)) {
      const other = artists[rng.skewed(ARTIST_POOL)]!;
      if (other !== lead) mainArtists.push(other);
    }
    const kindRoll = rng.float();
    const albumType = kindRoll < 0.35 ? "single" : kindRoll < 0.4 ? "compilation" : "album";
    const poolTrackCount = albumType === "single" ? rng.int(1, 2) : rng.int(3, 6);
    const totalTracks =
      albumType === "single"
        ? rng.int(poolTrackCount, 3)
        : rng.int(Math.max(8, poolTrackCount), 16);
    const id = sampleId(seed, "album", i);
    const { date, precision } = releaseDate(rng, i);
    const name =
      SPECIAL_ALBUM_NAMES[i] ??
      TITLE_PATTERNS[rng.int(0, 5)]!(rng.pick(TITLE_WORDS_A), rng.pick(TITLE_WORDS_B));
    albums.push({
      album: {
        album_type: albumType,
        artists: mainArtists.map(artistRef),
        available_markets: MARKETS.filter(() => rng.chance(0.9)),
        external_urls: { spotify: `${OPEN}/album/${id}` },
        href: `${API}/albums/${id}`,
        id,
        // Album 0 (and a few others) has no cover art: Spotify then sends `images: []`.
        images: i === 0 || rng.chance(0.025) ? [] : images(rng, "album"),
        name,
        release_date: date,
        release_date_precision: precision,
        total_tracks: totalTracks,
        type: "album",
        uri: `spotify:album:${id}`,
      },
      mainArtists,
      poolTrackCount,
    });
  }
  // Make the pool exactly TRACK_POOL tracks: grow or shrink multi-track albums round-robin.
  let total = albums.reduce((sum, a) => sum + a.poolTrackCount, 0);
  for (let j = 0; total !== TRACK_POOL; j = (j + 1) % ALBUM_POOL) {
    const a = albums[j]!;
    if (a.album.album_type === "single") continue;
    if (total < TRACK_POOL) {
      a.poolTrackCount++;
      total++;
    } else if (a.poolTrackCount > 1) {
      a.poolTrackCount--;
      total--;
    }
    a.album.total_tracks = Math.max(a.album.total_tracks ?? 0, a.poolTrackCount);
  }
  return albums;
}

function buildTracks(seed: number, albums: PoolAlbum[], artists: SpotifyArtist[]): SpotifyTrack[] {
  const rng = new Rng(seed, "tracks");
  const tracks: SpotifyTrack[] = [];
  albums.forEach((pooled, albumIndex) => {
    const total = pooled.album.total_tracks ?? pooled.poolTrackCount;
    const numbers = new Set<number>();
    while (numbers.size < pooled.poolTrackCount) numbers.add(rng.int(1, total));
    [...numbers]
      .sort((a, b) => a - b)
      .forEach((trackNumber, k) => {
        const index = tracks.length;
        const id = sampleId(seed, "track", index);
        const credited = pooled.mainArtists.map(artistRef);
        let name =
          k === 0 && SPECIAL_TRACK_NAMES[albumIndex] !== undefined
            ? SPECIAL_TRACK_NAMES[albumIndex]!
            : rng.pick(TITLE_PATTERNS)(rng.pick(TITLE_WORDS_A), rng.pick(TITLE_WORDS_B));
        if (rng.chance(0.15)) {
          const featured = artists[rng.skewed(ARTIST_POOL)]!;
          if (!pooled.mainArtists.includes(featured)) {
            credited.push(artistRef(featured));
            name = `${name} (feat. ${featured.name})`;
          }
        }
        const year = pooled.album.release_date?.slice(2, 4) ?? "20";
        // Both explicit values are guaranteed: track 0 is clean, track 1 explicit.
        const explicit = index === 0 ? false : index === 1 ? true : rng.chance(0.22);
        tracks.push({
          album: pooled.album,
          artists: credited,
          available_markets: pooled.album.available_markets ?? [],
          disc_number: 1,
          duration_ms: rng.int(95_000, 420_000),
          explicit,
          external_ids: {
            isrc: `${rng.pick(ISRC_COUNTRIES)}${BASE62.slice(10, 36)[rng.int(0, 25)]}${rng.int(10, 99)}${year}${String(rng.int(0, 99999)).padStart(5, "0")}`,
          },
          external_urls: { spotify: `${OPEN}/track/${id}` },
          href: `${API}/tracks/${id}`,
          id,
          is_local: false,
          name,
          popularity: Math.max(0, Math.min(100, 80 - Math.floor(index / 15) + rng.int(-10, 10))),
          preview_url: null,
          track_number: trackNumber,
          type: "track",
          uri: `spotify:track:${id}`,
        });
      });
  });
  return tracks;
}

const SHOWS = [
  { name: "The Data Lake Hour", publisher: "Pipeline Media", language: "en" },
  { name: "Café, Croissant & Code", publisher: "Radio Montmartre", language: "fr" },
  { name: "深夜ラジオ Tokyo", publisher: "Studio Yoru", language: "ja" },
];

function buildEpisodes(seed: number): SpotifyEpisode[] {
  const rng = new Rng(seed, "episodes");
  const shows: SpotifySimplifiedShow[] = SHOWS.map((s, i) => {
    const id = sampleId(seed, "show", i);
    const description = `${s.name}: conversations about music, data & "everything else".`;
    return {
      available_markets: MARKETS,
      copyrights: [],
      description,
      explicit: i === 0,
      external_urls: { spotify: `${OPEN}/show/${id}` },
      href: `${API}/shows/${id}`,
      html_description: `<p>${description.replaceAll("&", "&amp;").replaceAll('"', "&quot;")}</p>`,
      id,
      images: images(rng, "show"),
      is_externally_hosted: false,
      languages: [s.language],
      media_type: "audio",
      name: s.name,
      publisher: s.publisher,
      total_episodes: rng.int(40, 400),
      type: "show",
      uri: `spotify:show:${id}`,
    };
  });
  return Array.from({ length: EPISODE_POOL }, (_, i) => {
    const show = shows[i % SHOW_POOL]!;
    const id = sampleId(seed, "episode", i);
    const name = `#${100 + i}: ${rng.pick(TITLE_WORDS_A)} ${rng.pick(TITLE_WORDS_B)}, with ${rng.pick(FIRST_NAMES)}`;
    const description = `In this episode: ${name}.\nShow notes & links below.`;
    return {
      audio_preview_url: null,
      description,
      duration_ms: rng.int(900_000, 5_400_000),
      explicit: rng.chance(0.2),
      external_urls: { spotify: `${OPEN}/episode/${id}` },
      href: `${API}/episodes/${id}`,
      html_description: `<p>${description.replaceAll("&", "&amp;").replace("\n", "<br/>")}</p>`,
      id,
      images: show.images,
      is_externally_hosted: false,
      is_playable: true,
      language: show.languages[0]!,
      languages: show.languages,
      name,
      release_date: `${rng.int(2022, 2025)}-${String(rng.int(1, 12)).padStart(2, "0")}-${String(rng.int(1, 28)).padStart(2, "0")}`,
      release_date_precision: "day",
      show,
      type: "episode",
      uri: `spotify:episode:${id}`,
    };
  });
}

const LOCAL_FILES = [
  { artist: "Unknown Artist", album: "", title: "Track 01", seconds: 215 },
  { artist: "Mara Lindqvist", album: "Demos", title: 'Demo, take 3 "final"', seconds: 187 },
  { artist: "dj_mikko", album: "Sets 2019", title: "Live @ Kaiku – Part 2", seconds: 3605 },
  { artist: "Les Étoiles", album: "Garage Recordings", title: "L'été indien", seconds: 242 },
];

/** Spotify encodes local-file URIs with `+` for spaces and percent-escapes for the rest. */
const localUriPart = (s: string) => encodeURIComponent(s).replaceAll("%20", "+");

function localTrack(file: (typeof LOCAL_FILES)[number]): SpotifyTrack {
  return {
    album: {
      album_type: null,
      artists: [],
      available_markets: [],
      external_urls: {},
      href: null,
      id: null,
      images: [],
      name: file.album,
      release_date: null,
      release_date_precision: null,
      type: "album",
      uri: null,
    },
    artists: [
      { external_urls: {}, href: null, id: null, name: file.artist, type: "artist", uri: null },
    ],
    available_markets: [],
    disc_number: 0,
    duration_ms: file.seconds * 1000,
    explicit: false,
    external_ids: {},
    external_urls: {},
    href: null,
    id: null,
    is_local: true,
    name: file.title,
    popularity: 0,
    preview_url: null,
    track_number: 0,
    type: "track",
    uri: `spotify:local:${localUriPart(file.artist)}:${localUriPart(file.album)}:${localUriPart(file.title)}:${file.seconds}`,
  };
}

// ---------------------------------------------------------------------------------------
// Playlists

/** Names of the playlists that exist to carry one quirk each (see SAMPLE_IDS). */
type SampleRole =
  | "multiPagePlaylist"
  | "threePagePlaylist"
  | "twoPagePlaylist"
  | "emptyPlaylist"
  | "singleEntryPlaylist"
  | "quirksPlaylist"
  | "unicodePlaylist"
  | "addedAtNullPlaylist"
  | "duplicatesPlaylist"
  | "podcastPlaylist"
  | "collaborativePlaylist"
  | "otherOwnerPlaylist";

interface PlaylistSpec {
  role?: SampleRole;
  name: string;
  description: string;
  size: number | readonly [number, number];
  nulls?: number;
  episodes?: number;
  locals?: number;
  duplicates?: number;
  /** "oldest": the first 40% of entries predate added_at tracking; "some": two random ones. */
  addedAtNull?: "oldest" | "some";
  specialTracks?: boolean;
  /**
   * The last track becomes one Spotify could not resolve: `id: null` on a track that is not a
   * local file. The pipeline must set it aside with a reason, not crash or invent an id.
   */
  unresolvedTrack?: boolean;
  owner?: number;
  collaborative?: boolean;
  public?: boolean | null;
  cover?: "mosaic" | "custom" | "none";
  /** Regular playlists also get rare random nulls, episodes, locals and duplicates. */
  sprinkle?: boolean;
}

// prettier-ignore
const BASE_SPECS: readonly PlaylistSpec[] = [
  { role: "multiPagePlaylist", name: "Late Night Drive", description: "Neon, rain & empty highways.", size: 230, duplicates: 2 },
  { role: "threePagePlaylist", name: "Workout, Hard Mode 💪", description: "", size: 120, sprinkle: true },
  { role: "twoPagePlaylist", name: "Sunday Morning ☕ Café", description: "Slow songs for slow mornings", size: 60, cover: "custom" },
  { role: "emptyPlaylist", name: "New Playlist", description: "", size: 0, cover: "none", public: false },
  { role: "singleEntryPlaylist", name: "One Song Forever", description: "just this one.", size: 1 },
  { role: "quirksPlaylist", name: "Everything Odd", description: "Removed songs, podcasts &amp; my own files.", size: 36, nulls: 3, episodes: 4, locals: 3, duplicates: 1, addedAtNull: "some", unresolvedTrack: true },
  { role: "unicodePlaylist", name: 'Rock, Paper & "Scissors"', description: "Line one\nLine two, with a comma & an apostrophe: don't", size: 18, specialTracks: true },
  { role: "addedAtNullPlaylist", name: "Old Favourites (2009)", description: "from the very beginning", size: 25, addedAtNull: "oldest" },
  { role: "duplicatesPlaylist", name: "On Repeat", description: "", size: 20, duplicates: 4 },
  { role: "podcastPlaylist", name: "Commute Podcasts", description: "Episodes for the train", size: 10, episodes: 7 },
  { role: "collaborativePlaylist", name: "Road Trip w/ Friends", description: "Everyone adds 5 songs!", size: 32, collaborative: true, public: false, sprinkle: true },
  { role: "otherOwnerPlaylist", name: "K-Pop 케이팝 Essentials", description: "", size: 28, owner: 2, sprinkle: true },
  { name: "Chill\nVibes", description: "lo-fi / chillhop / study", size: [10, 40], sprinkle: true },
  { name: "Éclectique", description: "Un peu de tout.", size: [10, 40], sprinkle: true, cover: "custom" },
  { name: "Focus Flow", description: "Instrumentals to focus.", size: [10, 40], sprinkle: true },
  { name: "Throwback Thursday", description: "", size: [10, 40], sprinkle: true, owner: 3 },
  { name: "Dinner Party 🍷", description: "Soft, warm, and a little jazzy.", size: [10, 40], sprinkle: true },
  { name: "Summer '25", description: "", size: [10, 40], sprinkle: true },
  { name: "Sad Bangers", description: "cry on the dancefloor", size: [10, 40], sprinkle: true, public: null },
  { name: "Running 170 BPM", description: "", size: [10, 40], sprinkle: true },
  { name: "Indie Discoveries", description: "New finds, updated weekly-ish.", size: [10, 40], sprinkle: true },
  { name: "深夜のプレイリスト", description: "Late night Japanese city pop", size: [10, 40], sprinkle: true, owner: 4 },
  { name: "Wedding Dance Floor", description: "No slow songs after 10pm!", size: [10, 40], sprinkle: true },
  { name: "Rainy Day, Cozy Day", description: "", size: [10, 40], sprinkle: true },
];

/** Playlist ids of the base sample (scale 1) for `seed`, in catalogue order. */
export function samplePlaylistIds(seed = SAMPLE_SEED): string[] {
  return BASE_SPECS.map((_, i) => sampleId(seed, "playlist", i));
}

/** The 24 playlist ids of the default sample (scale 1, default seed), in catalogue order. */
export const SAMPLE_PLAYLIST_IDS: readonly string[] = samplePlaylistIds();

/**
 * The sample user: the emulator's authorizing user (`GET /v1/me`), who owns every playlist of
 * the sample but those with another `owner`, and collaborates on the collaborative ones.
 */
export function sampleUser(seed = SAMPLE_SEED): SpotifyPrivateUser {
  return { ...userRef(seed, 0, true), followers: { href: null, total: 42 }, images: [] };
}

/**
 * The default sample's playlists the sample user owns or collaborates on: those a
 * development-mode app authorized by that user reads the items of, and so what `npm start`
 * snapshots by default. The others (other owners, not collaborative) answer 403 on `/items`.
 */
export const SAMPLE_USER_PLAYLIST_IDS: readonly string[] = SAMPLE_PLAYLIST_IDS.filter(
  (_, i) => (BASE_SPECS[i]!.owner ?? 0) === 0 || BASE_SPECS[i]!.collaborative === true,
);

/**
 * What `npm start` snapshots by default: every sample playlist for an extended-quota app (no
 * access rule), the sample user's own for a development-mode one.
 */
export const defaultSamplePlaylists = (mode: "development" | "extended"): readonly string[] =>
  mode === "extended" ? SAMPLE_PLAYLIST_IDS : SAMPLE_USER_PLAYLIST_IDS;

/** The default sample's playlists of other owners, which the sample user cannot read. */
export const SAMPLE_FOREIGN_PLAYLIST_IDS: readonly string[] = SAMPLE_PLAYLIST_IDS.filter(
  (id) => !SAMPLE_USER_PLAYLIST_IDS.includes(id),
);

/** Default-sample playlists chosen for one property each; tests refer to these. */
export const SAMPLE_IDS: Readonly<Record<SampleRole, string>> = Object.fromEntries(
  BASE_SPECS.flatMap((spec, i) => (spec.role ? [[spec.role, SAMPLE_PLAYLIST_IDS[i]!]] : [])),
) as Record<SampleRole, string>;

interface Pools {
  seed: number;
  tracks: SpotifyTrack[];
  episodes: SpotifyEpisode[];
  locals: SpotifyTrack[];
}

type EntryPlan = "track" | "episode" | "local" | "null";

const isoSeconds = (s: number) => new Date(s * 1000).toISOString().replace(".000Z", "Z");

function buildPlaylist(pools: Pools, index: number): CataloguePlaylist {
  const { seed } = pools;
  const spec = BASE_SPECS[index % BASE_SPECS.length]!;
  const block = Math.floor(index / BASE_SPECS.length);
  const rng = new Rng(seed, `playlist:${index}`);
  const size = typeof spec.size === "number" ? spec.size : rng.int(spec.size[0], spec.size[1]);

  // Decide what each position holds before choosing tracks, so quirk counts are exact.
  const plan: EntryPlan[] = Array.from({ length: size }, (): EntryPlan => {
    if (!spec.sprinkle) return "track";
    const roll = rng.float();
    return roll < 0.008 ? "null" : roll < 0.02 ? "episode" : roll < 0.026 ? "local" : "track";
  });
  const placeQuirk = (kind: EntryPlan, count = 0) => {
    for (let placed = 0, guard = 0; placed < count && guard < 10_000; guard++) {
      const at = rng.int(0, size - 1);
      if (plan[at] === "track") {
        plan[at] = kind;
        placed++;
      }
    }
  };
  placeQuirk("null", spec.nulls);
  placeQuirk("episode", spec.episodes);
  placeQuirk("local", spec.locals);

  const used = new Set<number>();
  const specialQueue = spec.specialTracks
    ? pools.tracks.flatMap((t, i) =>
        SPECIAL_TRACK_NAMES.includes(t.name.split(" (feat. ")[0]!) ? [i] : [],
      )
    : [];
  const pickTrack = (): SpotifyTrack => {
    let chosen = specialQueue.shift();
    for (let tries = 0; chosen === undefined || used.has(chosen); tries++) {
      chosen = tries < 50 ? rng.skewed(TRACK_POOL) : (chosen ?? 0) + 1;
      if (chosen >= TRACK_POOL) chosen = 0;
    }
    used.add(chosen);
    return pools.tracks[chosen]!;
  };
  const items: (SpotifyTrack | SpotifyEpisode | null)[] = plan.map((kind) =>
    kind === "null"
      ? null
      : kind === "episode"
        ? rng.pick(pools.episodes)
        : kind === "local"
          ? rng.pick(pools.locals)
          : pickTrack(),
  );

  // A duplicate is the same track object added again at a later position.
  const trackPositions = () => plan.flatMap((k, i) => (k === "track" ? [i] : []));
  const duplicates =
    (spec.duplicates ?? 0) + (spec.sprinkle && size > 5 && rng.chance(0.15) ? 1 : 0);
  for (let d = 0; d < duplicates; d++) {
    const positions = trackPositions();
    if (positions.length < 2) break;
    const from = positions[rng.int(0, positions.length - 2)]!;
    const later = positions.filter((p) => p > from);
    items[rng.pick(later)] = items[from]!;
  }
  if (spec.unresolvedTrack) {
    const last = trackPositions().at(-1);
    const track = last === undefined ? undefined : items[last];
    // No rng draw here, so every other value of the sample stays as it was.
    if (last !== undefined && track?.type === "track") {
      items[last] = { ...track, id: null, uri: `spotify:track:unresolved-${index}` };
    }
  }

  const ownerIndex = spec.owner ?? 0;
  const owner = userRef(seed, ownerIndex, true);
  const addedBy = (i: number) =>
    userRef(seed, spec.collaborative ? [0, 1, 3, 4][i % 4]! : ownerIndex, false);
  const startYear = spec.addedAtNull === "oldest" ? 2009 : rng.int(2013, 2024);
  let clock =
    Date.UTC(startYear, rng.int(0, 11), rng.int(1, 28), rng.int(0, 23), rng.int(0, 59)) / 1000;
  const step = Math.max(60, Math.floor((LATEST_INSTANT_S - clock) / Math.max(size, 1) / 1.5));
  const nullAddedAt = new Set<number>();
  if (spec.addedAtNull === "oldest")
    for (let i = 0; i < Math.ceil(size * 0.4); i++) nullAddedAt.add(i);
  if (spec.addedAtNull === "some")
    while (nullAddedAt.size < Math.min(2, size)) nullAddedAt.add(rng.int(0, size - 1));

  const entries: SpotifyPlaylistEntry[] = items.map((item, i) => {
    clock = Math.min(LATEST_INSTANT_S, clock + rng.int(30, step));
    return {
      added_at: nullAddedAt.has(i) ? null : isoSeconds(clock),
      added_by: addedBy(i),
      is_local: item?.type === "track" ? item.is_local : false,
      item,
      primary_color: null,
      video_thumbnail: { url: null },
    };
  });

  const id = sampleId(seed, "playlist", index);
  const cover = spec.cover ?? "mosaic";
  const playlistImages: SpotifyImage[] =
    cover === "none" || size === 0
      ? []
      : cover === "custom"
        ? [
            {
              height: null,
              url: `https://image-cdn-ak.spotifycdn.com/image/ab67706c0000da84${rng.hex(24)}`,
              width: null,
            },
          ]
        : [640, 300, 60].map((s) => ({
            height: s,
            url: `https://mosaic.scdn.co/${s}/ab67616d00001e02${rng.hex(24)}ab67616d00001e02${rng.hex(24)}`,
            width: s,
          }));
  const playlist: SpotifyPlaylist = {
    collaborative: spec.collaborative ?? false,
    description: spec.description,
    external_urls: { spotify: `${OPEN}/playlist/${id}` },
    followers: { href: null, total: size === 0 ? 0 : rng.skewed(250_000, 4) },
    href: `${API}/playlists/${id}`,
    id,
    images: playlistImages,
    name: block === 0 ? spec.name : `${spec.name} #${block + 1}`,
    owner,
    primary_color: null,
    public: spec.public === undefined ? true : spec.public,
    snapshot_id: sampleSnapshotId(id, entries),
    type: "playlist",
    uri: `spotify:playlist:${id}`,
  };
  const collaborators = spec.collaborative
    ? [...new Set(entries.flatMap((e) => (e.added_by ? [e.added_by.id] : [])))].sort()
    : undefined;
  return { playlist, entries, ...(collaborators ? { collaborators } : {}) };
}

/** A playlist's `snapshot_id`: a fingerprint of its entries, so it changes exactly with them. */
export function sampleSnapshotId(playlistId: string, entries: readonly SpotifyPlaylistEntry[]) {
  const fingerprint = createHash("sha256")
    .update(
      `${playlistId}\n${entries.map((e) => `${e.item?.uri ?? "null"}@${e.added_at}`).join("\n")}`,
    )
    .digest("base64");
  return `AAAA${fingerprint.slice(0, 28)}`;
}

export interface SampleCatalogueOptions {
  /** Multiplies the number of playlists (24 per unit); the track/artist pools stay the same. */
  scale?: number;
  seed?: number;
}

/**
 * Builds the sample catalogue. Scale N contains the scale-1 playlists first, unchanged, then
 * more playlists of the same 24 shapes; pools (150 artists, 250 albums, 900 tracks, 12
 * episodes) do not grow, as real playlists share a catalogue.
 */
export function generateSampleCatalogue(options: SampleCatalogueOptions = {}): SpotifyCatalogue {
  const scale = options.scale ?? 1;
  const seed = options.seed ?? SAMPLE_SEED;
  if (!Number.isInteger(scale) || scale < 1 || scale > 10_000) {
    throw new RangeError(`sample scale must be an integer from 1 to 10000, got ${scale}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`sample seed must be an unsigned 32-bit integer, got ${seed}`);
  }
  const artists = buildArtists(seed);
  const albums = buildAlbums(seed, artists);
  const pools: Pools = {
    seed,
    tracks: buildTracks(seed, albums, artists),
    episodes: buildEpisodes(seed),
    locals: LOCAL_FILES.map(localTrack),
  };
  const playlists = Array.from({ length: scale * BASE_SPECS.length }, (_, i) =>
    buildPlaylist(pools, i),
  );
  return { playlists, artists };
}

// ---------------------------------------------------------------------------------------
// Statistics, for tests that compare lake row counts with what the emulator served

export type EntryKind = "track" | "episode" | "local" | "null";

export function entryKind(entry: SpotifyPlaylistEntry): EntryKind {
  if (entry.item === null) return "null";
  if (entry.item.type === "episode") return "episode";
  return entry.item.is_local ? "local" : "track";
}

export interface CatalogueStats {
  playlists: number;
  /** All entries, duplicates and null entries included. */
  entries: number;
  entriesByKind: Record<EntryKind, number>;
  entriesByPlaylist: Record<string, number>;
  /** Distinct non-local track ids among the entries. */
  distinctTracks: number;
  /** Distinct album ids of those tracks. */
  distinctAlbums: number;
  /** Distinct artist ids credited on those tracks (album artists are always among them). */
  distinctArtists: number;
  distinctEpisodes: number;
  /** Same track id at two or more positions of one playlist, counted once per extra position. */
  duplicateEntries: number;
  entriesWithNullAddedAt: number;
}

export function catalogueStats(catalogue: SpotifyCatalogue): CatalogueStats {
  const entriesByKind: Record<EntryKind, number> = { track: 0, episode: 0, local: 0, null: 0 };
  const entriesByPlaylist = new Map<string, number>();
  const tracks = new Set<string>();
  const albums = new Set<string>();
  const artists = new Set<string>();
  const episodes = new Set<string>();
  let entries = 0;
  let duplicateEntries = 0;
  let entriesWithNullAddedAt = 0;
  for (const { playlist, entries: list } of catalogue.playlists) {
    entriesByPlaylist.set(playlist.id, list.length);
    entries += list.length;
    const seen = new Set<string>();
    for (const entry of list) {
      const kind = entryKind(entry);
      entriesByKind[kind]++;
      if (entry.added_at === null) entriesWithNullAddedAt++;
      const item = entry.item;
      if (kind === "episode" && item) episodes.add(item.id!);
      if (kind !== "track" || item?.type !== "track" || item.id === null) continue;
      if (seen.has(item.id)) duplicateEntries++;
      seen.add(item.id);
      tracks.add(item.id);
      if (item.album.id) albums.add(item.album.id);
      for (const a of [...item.artists, ...item.album.artists]) if (a.id) artists.add(a.id);
    }
  }
  return {
    playlists: catalogue.playlists.length,
    entries,
    entriesByKind,
    // Own properties even for an id such as "__proto__".
    entriesByPlaylist: Object.fromEntries(entriesByPlaylist),
    distinctTracks: tracks.size,
    distinctAlbums: albums.size,
    distinctArtists: artists.size,
    distinctEpisodes: episodes.size,
    duplicateEntries,
    entriesWithNullAddedAt,
  };
}
