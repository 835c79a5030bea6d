// Specification of the policy helpers: a grant on Resource "*" is refused at synth time
// unless infra/iam-exceptions.ts lists the action with its reason.

import { describe, expect, it } from "vitest";
import { assumeRolePolicy, policyJson } from "../../infra/iam";
import { WILDCARD_RESOURCE_EXCEPTIONS } from "../../infra/iam-exceptions";

describe("policyJson", () => {
  it("renders a policy document tests and IAM can parse", () => {
    const json = policyJson([
      {
        Sid: "ReadRaw",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: ["arn:aws:s3:::raw/spotify/*"],
      },
    ]);
    expect(JSON.parse(json)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadRaw",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: ["arn:aws:s3:::raw/spotify/*"],
        },
      ],
    });
  });

  it('refuses an Allow on Resource "*" for an action that is not a listed exception', () => {
    expect(() =>
      policyJson([{ Sid: "TooBroad", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"] }]),
    ).toThrow(/TooBroad allows s3:GetObject on Resource "\*".*infra\/iam-exceptions\.ts/);
  });

  it('accepts the listed exceptions on Resource "*"', () => {
    expect(() =>
      policyJson([
        { Sid: "Traces", Effect: "Allow", Action: ["xray:PutTraceSegments"], Resource: ["*"] },
      ]),
    ).not.toThrow();
  });

  it("gives every exception a reason", () => {
    for (const exception of WILDCARD_RESOURCE_EXCEPTIONS)
      expect(exception.reason.length).toBeGreaterThan(20);
  });
});

describe("assumeRolePolicy", () => {
  it("limits a service to acting on behalf of this account when one is given", () => {
    expect(JSON.parse(assumeRolePolicy("states.amazonaws.com", "123456789012")).Statement).toEqual([
      {
        Sid: "TrustService",
        Effect: "Allow",
        Principal: { Service: "states.amazonaws.com" },
        Action: ["sts:AssumeRole"],
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
      },
    ]);
  });
});
