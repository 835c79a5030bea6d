// A small hand-built playlist history, and a reference computation of the chart views in
// plain TypeScript (functions/core/history/views.ts says what they mean), to check the SQL
// against. The history has every status, a re-entry after an exit, a song listed twice in one
// snapshot, a tie for a song's peak, a playlist refused for an hour, one missing from a run
// for an hour, one read empty, and days that change.

/** One hour of one playlist: its songs in order, `refused` when Spotify refused it. */
export interface PlaylistHour {
  playlist: string;
  date: string;
  hour: string;
  songs?: readonly string[];
  refused?: boolean;
  followers?: number | null;
  /** The playlist's name (default `name of <id>`). */
  name?: string;
}

const h = (
  playlist: string,
  at: string,
  songs: readonly string[] | "refused",
  followers: number | null = null,
): PlaylistHour => {
  const [date, hour] = at.split("T") as [string, string];
  return songs === "refused"
    ? { playlist, date, hour, refused: true, followers }
    : { playlist, date, hour, songs, followers };
};

export const PLAYLIST_A = "0000000000000000000PlA";
export const PLAYLIST_B = "0000000000000000000PlB";

/** A song's id: its name's letters and digits (s1, s2, ...) padded to a Spotify id's 22. */
export const songId = (name: string) =>
  name
    .replace(/[^0-9A-Za-z]/g, "")
    .padStart(22, "0")
    .slice(-22);

/** Songs by short name; their artist is `artist of <name>`. */
export const HISTORY: readonly PlaylistHour[] = [
  h(PLAYLIST_A, "2026-11-22T00", ["s1", "s2", "s3"], 100),
  h(PLAYLIST_A, "2026-11-22T01", ["s2", "s1", "s4"], 110), // s2 up, s1 down, s4 new, s3 left
  h(PLAYLIST_A, "2026-11-22T02", ["s2", "s1", "s4", "s3"], 120), // same x3, s3 re-entry
  h(PLAYLIST_A, "2026-11-22T03", "refused"), // not read: says nothing of its songs
  h(PLAYLIST_A, "2026-11-22T04", ["s1", "s2", "s1", "s3"], 130), // s1 twice: its best counts
  h(PLAYLIST_A, "2026-11-22T05", [], 130), // read, empty: everything left
  h(PLAYLIST_A, "2026-11-23T00", ["s3", "s1"], 150), // both re-enter on the next day
  h(PLAYLIST_B, "2026-11-22T00", ["s1", "s5"]),
  // 01: B is not in the run at all
  h(PLAYLIST_B, "2026-11-22T02", ["s5", "s1"]),
  h(PLAYLIST_B, "2026-11-22T03", ["s5", "s1"]),
  h(PLAYLIST_B, "2026-11-23T00", ["s6", "s5", "s1"]), // ties: s5 peaks at 0 on 02 and 03
];

export interface SongRow {
  playlist_id: string;
  position: number;
  song_id: string;
  song_name: string;
  artist_name: string;
  snapshot_date: string;
  snapshot_hour: string;
}

export interface PlaylistRow {
  playlist_id: string;
  playlist_name: string | null;
  followers: number | null;
  available: boolean;
  snapshot_date: string;
  snapshot_hour: string;
}

/** The history as rows of songs_data and playlists_data (only the columns the views read). */
export function historyRows(history: readonly PlaylistHour[] = HISTORY) {
  const songs: SongRow[] = history.flatMap((p) =>
    (p.songs ?? []).map((song, position) => ({
      playlist_id: p.playlist,
      position,
      song_id: songId(song),
      song_name: song,
      artist_name: `artist of ${song}`,
      snapshot_date: p.date,
      snapshot_hour: p.hour,
    })),
  );
  const playlists: PlaylistRow[] = history.map((p) => ({
    playlist_id: p.playlist,
    playlist_name: p.refused ? null : (p.name ?? `name of ${p.playlist}`),
    followers: p.followers ?? null,
    available: !p.refused,
    snapshot_date: p.date,
    snapshot_hour: p.hour,
  }));
  return { songs, playlists };
}

type Row = Record<string, string | number | null>;

/** The views' rows, computed from the definitions one snapshot at a time. */
export function referenceViews(history: readonly PlaylistHour[] = HISTORY) {
  const positions: Row[] = [];
  const changes: Row[] = [];
  const snapshots: Row[] = [];
  const byPlaylist = new Map<string, PlaylistHour[]>();
  for (const p of history.filter((p) => !p.refused)) {
    byPlaylist.set(p.playlist, [...(byPlaylist.get(p.playlist) ?? []), p]);
  }
  for (const [playlist, hours] of byPlaylist) {
    hours.sort((a, b) => `${a.date}T${a.hour}`.localeCompare(`${b.date}T${b.hour}`));
    const seen = new Set<string>();
    let previous = new Map<string, number>();
    hours.forEach((p, index) => {
      const number = index + 1;
      const at = { playlist_id: playlist, snapshot_date: p.date, snapshot_hour: p.hour };
      const list = new Map<string, number>();
      (p.songs ?? []).forEach((song, position) => {
        if (!list.has(song)) list.set(song, position);
      });
      snapshots.push({
        ...at,
        snapshot_number: number,
        playlist_name: `name of ${playlist}`,
        followers: p.followers ?? null,
        songs: list.size,
      });
      const song = (name: string) => ({
        song_id: songId(name),
        song_name: name,
        artist_name: `artist of ${name}`,
      });
      for (const [id, position] of list) {
        const before = previous.get(id);
        const status =
          before !== undefined
            ? before > position
              ? "up"
              : before < position
                ? "down"
                : "same"
            : seen.has(id)
              ? "re-entry"
              : "new";
        positions.push({
          ...at,
          snapshot_number: number,
          ...song(id),
          position,
          previous_position: before ?? null,
          movement: before === undefined ? null : before - position,
          status,
        });
        if (number > 1 && before === undefined) {
          changes.push({
            ...at,
            snapshot_number: number,
            ...song(id),
            change: "entered",
            position,
            previous_position: null,
          });
        }
      }
      if (number > 1) {
        for (const [id, position] of previous) {
          if (list.has(id)) continue;
          changes.push({
            ...at,
            snapshot_number: number,
            ...song(id),
            change: "left",
            position: null,
            previous_position: position,
          });
        }
      }
      for (const id of list.keys()) seen.add(id);
      previous = list;
    });
  }

  const runs: Row[] = [];
  const groups = new Map<string, Row[]>();
  for (const row of positions) {
    const key = `${row.playlist_id}/${row.song_id}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  for (const rows of groups.values()) {
    const first = rows[0]!;
    const last = rows.at(-1)!;
    const peak = rows.reduce((best, r) => (Number(r.position) < Number(best.position) ? r : best));
    runs.push({
      playlist_id: first.playlist_id!,
      song_id: first.song_id!,
      song_name: last.song_name!,
      artist_name: last.artist_name!,
      first_seen_date: first.snapshot_date!,
      first_seen_hour: first.snapshot_hour!,
      last_seen_date: last.snapshot_date!,
      last_seen_hour: last.snapshot_hour!,
      snapshots: rows.length,
      days: new Set(rows.map((r) => r.snapshot_date)).size,
      entries: rows.filter((r) => r.status === "new" || r.status === "re-entry").length,
      peak_position: peak.position!,
      peak_date: peak.snapshot_date!,
      peak_hour: peak.snapshot_hour!,
    });
  }

  const daily: Row[] = [];
  const days = new Map<string, Row[]>();
  for (const s of snapshots) {
    const key = `${s.playlist_id}/${s.snapshot_date}`;
    days.set(key, [...(days.get(key) ?? []), s]);
  }
  for (const day of days.values()) {
    const last = day.at(-1)!;
    const today = changes.filter(
      (c) => c.playlist_id === last.playlist_id && c.snapshot_date === last.snapshot_date,
    );
    const entries = today.filter((c) => c.change === "entered").length;
    const songs = Number(last.songs);
    daily.push({
      playlist_id: last.playlist_id!,
      snapshot_date: last.snapshot_date!,
      snapshots: day.length,
      playlist_name: last.playlist_name!,
      songs,
      followers: last.followers!,
      entries,
      exits: today.filter((c) => c.change === "left").length,
      turnover: songs === 0 ? null : entries / songs,
    });
  }
  return {
    playlist_snapshots: snapshots,
    playlist_positions: positions,
    playlist_changes: changes,
    song_playlist_runs: runs,
    playlist_daily: daily,
  };
}

/**
 * A day and a half of one playlist that moves every hour (a few seeded swaps, a song out and
 * another in every eight hours, the first one back later), for screenshots: the sample's
 * catalogue may not change between hours.
 */
export function demoHistory(): PlaylistHour[] {
  const pool = [
    "Midnight City",
    "Fire, Fire, Fire",
    "Into the Waves",
    "Silent Mirrors",
    "Summer Rain",
    "Dancing Dreams",
    "Wild Stars",
    "Golden Lights",
    "Broken City",
    "Slow Waves",
    "Holy Smoke",
    "Blue Roads",
    "Machine of Holy Days",
    "Into the Fire",
  ];
  let list = pool.slice(0, 10);
  let waiting = pool.slice(10);
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const hours: PlaylistHour[] = [];
  // 33 hours: the last one (32) brings a song in, so the latest list shows a flag.
  for (let i = 0; i < 33; i++) {
    const at = new Date(Date.UTC(2026, 10, 22, i));
    if (i > 0) {
      for (let swaps = 0; swaps < 2; swaps++) {
        const k = Math.floor(random() * (list.length - 1));
        [list[k], list[k + 1]] = [list[k + 1]!, list[k]!];
      }
      if (i % 8 === 0) {
        const out = list.pop()!;
        list = [...list.slice(0, 6), waiting[0]!, ...list.slice(6)];
        waiting = [...waiting.slice(1), out];
      }
    }
    hours.push({
      playlist: "DemoLateNightDrive0000",
      name: "Late Night Drive",
      date: at.toISOString().slice(0, 10),
      hour: at.toISOString().slice(11, 13),
      songs: [...list],
      followers: 1200 + 17 * i,
    });
  }
  return hours;
}
