import { describe, expect, it } from "vitest";
import { checkCallbackUrl, isPublicAddress } from "../../src/delivery/index.js";

describe("isPublicAddress", () => {
  it.each([
    "0.0.0.0", "127.0.0.1", "127.255.0.9", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.0.1", "169.254.169.254", "100.64.0.1",
    "224.0.0.1", "255.255.255.255", "198.18.0.1",
    "::", "::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.0.0.1", "::ffff:a9fe:a9fe", "64:ff9b::127.0.0.1", "::127.0.0.1",
    "fc00::1", "fd00::1", "fe80::1", "fe80::1%eth0", "ff02::1", "2001:db8::1",
  ])("refuses %s", (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(["93.184.216.34", "8.8.8.8", "172.32.0.1", "192.169.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2a00:1450:4001::200e"])("accepts %s", (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe("checkCallbackUrl", () => {
  const strict = { allowHttp: false, allowPrivate: false };
  it("lets a host name through: it is checked against what it resolves to on every delivery", () => {
    expect(checkCallbackUrl("https://localhost/x", strict).hostname).toBe("localhost");
  });

  it("allows what the settings allow", () => {
    expect(() => checkCallbackUrl("http://10.0.0.1/x", { allowHttp: true, allowPrivate: true })).not.toThrow();
    expect(() => checkCallbackUrl("http://10.0.0.1/x", { allowHttp: true, allowPrivate: false })).toThrow(/private/);
    expect(() => checkCallbackUrl("http://hooks.example.com/x", { allowHttp: false, allowPrivate: true })).toThrow(/https/);
  });
});
