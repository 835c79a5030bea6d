// How a long Retry-After becomes a wait of the state machine, and when the run gives up.

import { describe, expect, it } from "vitest";
import { SpotifyRateLimitedError } from "../../../functions/commons/errors";
import {
  MAX_RATE_LIMIT_WAITS,
  MAX_RATE_LIMIT_WAIT_SECONDS,
  orWaitForRateLimit,
  planRateLimitWait,
} from "../../../functions/core/spotify/rate-limit-wait";

describe("Rate-limit waits", () => {
  it("wait exactly what Spotify asked, at least a second", () => {
    expect(planRateLimitWait(new SpotifyRateLimitedError(120, false), 0)).toEqual({
      rateLimited: true,
      retryAfterSeconds: 120,
    });
    expect(planRateLimitWait(new SpotifyRateLimitedError(0, false), 0).retryAfterSeconds).toBe(1);
  });

  it("give up at once when the quota is spent, saying so", () => {
    expect(() => planRateLimitWait(new SpotifyRateLimitedError(1, true), 0)).toThrow(
      /quota is spent .*the run stops at once/,
    );
  });

  it("give up on a wait longer than the pipeline's cap, saying so", () => {
    expect(() =>
      planRateLimitWait(new SpotifyRateLimitedError(MAX_RATE_LIMIT_WAIT_SECONDS + 1, false), 0),
    ).toThrow(/more than the 900 s the pipeline waits/);
  });

  it("give up after the last allowed wait", () => {
    expect(() =>
      planRateLimitWait(new SpotifyRateLimitedError(60, false), MAX_RATE_LIMIT_WAITS),
    ).toThrow(SpotifyRateLimitedError);
  });

  it("run the step's give-up action (releasing the lease) only when giving up", async () => {
    let gaveUp = 0;
    const onGiveUp = async () => {
      gaveUp += 1;
    };
    const limited = async () => {
      throw new SpotifyRateLimitedError(60, false);
    };
    await expect(orWaitForRateLimit(0, limited, onGiveUp)).resolves.toMatchObject({
      rateLimited: true,
    });
    await expect(orWaitForRateLimit(MAX_RATE_LIMIT_WAITS, limited, onGiveUp)).rejects.toThrow(
      /after 4 waits/,
    );
    expect(gaveUp).toBe(1);
    await expect(orWaitForRateLimit(0, async () => "done", onGiveUp)).resolves.toBe("done");
  });
});
