import { benchScale } from "./sections/scale";
benchScale({ workDir: "/tmp/i16r-bench", playlists: process.argv.slice(2).map(Number), log: (l) => console.error(l) }).then((r) => console.log(JSON.stringify(r)));
