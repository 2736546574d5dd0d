import { describe, expect, it } from 'vitest';
import { controllerTroubleOf, createTroubleNotices } from '../../shared/instance/controller-trouble.ts';

describe('controller trouble', () => {
  it('tells the controller being the problem from the controller refusing an object', () => {
    expect(controllerTroubleOf('POST login admin: transport error ECONNREFUSED')?.code).toBe('ControllerUnreachable');
    expect(controllerTroubleOf('PUT pool p: HTTP 503: service unavailable')?.code).toBe('ControllerUnreachable');
    expect(controllerTroubleOf('GET virtualservice: HTTP 429: too many requests')?.code).toBe('ControllerUnreachable');
    expect(
      controllerTroubleOf('POST login ***: TLS verification of https://10.0.0.5 failed (SELF_SIGNED_CERT_IN_CHAIN): …')
        ?.code,
    ).toBe('ControllerTLSVerificationFailed');
    expect(controllerTroubleOf('POST login ***: HTTP 401: Invalid credentials')?.code).toBe('ControllerLoginFailed');
    expect(controllerTroubleOf('POST pool p: HTTP 400: Invalid data')).toBeUndefined();
    expect(controllerTroubleOf('ownership collision: created by ako-other')).toBeUndefined();
    expect(controllerTroubleOf(undefined)).toBeUndefined();
  });

  it('tells each waiting Ingress, Service or Route once per interval, not on every retry', () => {
    let now = 0;
    const notices = createTroubleNotices({ everyMs: 60_000, now: () => now });
    const trouble = controllerTroubleOf('transport error ECONNREFUSED')!;
    const objects = [
      { kind: 'Ingress', namespace: 'red', name: 'web' },
      { kind: 'Service', namespace: 'red', name: 'lb' },
      { kind: 'EndpointSlice', namespace: 'red', name: 'web-abc' },
      { kind: 'Namespace', namespace: undefined, name: 'red' },
    ];
    expect(notices.due(objects, trouble).map((o) => o.name)).toEqual(['web', 'lb']);
    now = 30_000;
    expect(notices.due(objects, trouble)).toEqual([]);
    // Another cause is news.
    expect(notices.due(objects, controllerTroubleOf('TLS verification of x failed (CERT_HAS_EXPIRED)')!)).toHaveLength(
      2,
    );
    now = 60_000;
    expect(notices.due(objects, trouble).map((o) => o.name)).toEqual(['web', 'lb']);
  });

  it('caps the Events of one notice (a cold start of thousands of objects during an outage)', () => {
    const notices = createTroubleNotices({ maxPerNotice: 3, now: () => 0 });
    const many = Array.from({ length: 10 }, (_, i) => ({ kind: 'Ingress', namespace: 'a', name: `i${i}` }));
    const trouble = controllerTroubleOf('HTTP 502: bad gateway')!;
    expect(notices.due(many, trouble)).toHaveLength(3);
    expect(notices.due(many, trouble)).toHaveLength(3);
  });
});
