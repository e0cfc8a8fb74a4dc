import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

const dataDir = () => mkdtempSync(path.join(os.tmpdir(), "keyhouse-config-"));

describe("loadConfig", () => {
  it("has safe defaults and generates the secret into the data folder once", () => {
    const dir = dataDir();
    const c = loadConfig({ KEYHOUSE_DATA_DIR: dir });
    expect(c.port).toBe(3000);
    expect(c.provider).toBe("sqlite");
    expect(c.databaseUrl).toMatch(/^file:\/.*data\/keyhouse\.db$/);
    expect(c.logRetentionDays).toBe(90);
    expect(c.maxUploadBytes).toBe(250 * 1024 * 1024);
    expect(c.smtpUrl).toBeUndefined();
    expect(c.seed).toBe("demo");
    expect(c.demoPassword).toBe("keyhouse-demo");
    expect(c.secret).toHaveLength(43);
    expect(readFileSync(path.join(dir, "secret"), "utf8").trim()).toBe(c.secret);
    expect(loadConfig({ KEYHOUSE_DATA_DIR: dir }).secret).toBe(c.secret);
  });

  it("reads PostgreSQL URLs and every variable", () => {
    const c = loadConfig({
      PORT: "8080",
      DATABASE_URL: "postgres://u:p@db:5432/keyhouse",
      KEYHOUSE_SECRET: "s".repeat(32),
      PUBLIC_URL: "https://keys.example.com/",
      SMTP_URL: "smtp://mail:25",
      LOG_RETENTION_DAYS: "30",
      KEYHOUSE_SEED: "none",
      MAX_UPLOAD_MB: "5",
    });
    expect(c.maxUploadBytes).toBe(5 * 1024 * 1024);
    expect(c).toMatchObject({
      port: 8080,
      provider: "postgres",
      secret: "s".repeat(32),
      publicUrl: "https://keys.example.com",
      smtpUrl: "smtp://mail:25",
      logRetentionDays: 30,
      seed: "none",
    });
  });

  it.each([
    [{ PORT: "abc" }, /PORT: must be a whole number \(got "abc"\)/],
    [{ PORT: "70000" }, /PORT: must be between 1 and 65535/],
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL: must be file:PATH \(SQLite\) or postgres:\/\//],
    [{ KEYHOUSE_SECRET: "short" }, /KEYHOUSE_SECRET: must be at least 32 characters/],
    [{ PUBLIC_URL: "keys.example.com" }, /PUBLIC_URL: must be an absolute http\(s\) URL/],
    [{ SMTP_URL: "http://mail" }, /SMTP_URL: must be smtp:\/\/HOST:PORT/],
    [{ LOG_RETENTION_DAYS: "0" }, /LOG_RETENTION_DAYS: must be at least 1/],
    [{ LOG_RETENTION_DAYS: "ten" }, /LOG_RETENTION_DAYS: must be a whole number of days/],
    [{ KEYHOUSE_SEED: "yes" }, /KEYHOUSE_SEED: must be "demo" or "none"/],
    [{ MAX_UPLOAD_MB: "0" }, /MAX_UPLOAD_MB: must be at least 1/],
    [{ MAX_UPLOAD_MB: "1.5" }, /MAX_UPLOAD_MB: must be a whole number of megabytes/],
    [{ MAX_UPLOAD_MB: "lots" }, /MAX_UPLOAD_MB: must be a whole number of megabytes/],
  ])("stops on %j with a message naming the variable", (env, message) => {
    expect(() => loadConfig({ KEYHOUSE_DATA_DIR: dataDir(), ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ KEYHOUSE_DATA_DIR: dataDir(), ...env })).toThrow(message);
  });

  it("never repeats the value of a variable that may hold a secret", () => {
    const secrets = {
      KEYHOUSE_SECRET: "too-short-secret-hunter2",
      DATABASE_URL: "mysql://keyhouse:db-pass-hunter2@db/keyhouse",
      SMTP_URL: "https://mailer:smtp-pass-hunter2@mail.example.com",
      DEMO_PASSWORD: "hunter2",
    };
    let message = "";
    try {
      loadConfig({ KEYHOUSE_DATA_DIR: dataDir(), ...secrets });
    } catch (e) {
      message = (e as Error).message;
    }
    for (const name of Object.keys(secrets)) expect(message).toMatch(new RegExp(`${name}: .*\\(the value is not shown: it may hold a secret\\)`));
    expect(message).not.toContain("hunter2");
  });

  it("reads KEYHOUSE_TRUST_PROXY as no proxy, a number of hops or a list of CIDRs", () => {
    const trust = (v?: string) => loadConfig({ KEYHOUSE_DATA_DIR: dataDir(), ...(v === undefined ? {} : { KEYHOUSE_TRUST_PROXY: v }) }).trustProxy;
    expect(trust()).toBe(false);
    expect(trust("false")).toBe(false);
    expect(trust("1")).toBe(1);
    expect(trust("2")).toBe(2);
    expect(trust("10.0.0.0/8, fd00::/8,192.0.2.7,loopback")).toEqual(["10.0.0.0/8", "fd00::/8", "192.0.2.7", "loopback"]);
  });

  it.each([
    ["true", /KEYHOUSE_TRUST_PROXY: .*"true" would believe any X-Forwarded-For, so give the number of proxy hops or the proxies' CIDRs instead \(got "true"\)/],
    [
      "yes",
      /KEYHOUSE_TRUST_PROXY: must be "false", a number of proxy hops .* or a comma-separated list of the trusted proxies' addresses or CIDRs .*"yes" is not an IP address or CIDR/,
    ],
    ["10.0.0.0/33", /"10\.0\.0\.0\/33" is not an IP address or CIDR/],
    ["10.0.0.0/8,", /"" is not an IP address or CIDR/],
    ["11", /KEYHOUSE_TRUST_PROXY: .*at most 10 hops/],
  ])("refuses KEYHOUSE_TRUST_PROXY=%s with a message saying what is allowed", (value, message) => {
    expect(() => loadConfig({ KEYHOUSE_DATA_DIR: dataDir(), KEYHOUSE_TRUST_PROXY: value })).toThrow(message);
  });

  it("names every bad variable at once", () => {
    expect(() => loadConfig({ KEYHOUSE_DATA_DIR: dataDir(), PORT: "x", LOG_RETENTION_DAYS: "-1" })).toThrow(/PORT[\s\S]*LOG_RETENTION_DAYS/);
  });
});
