import { ApiError } from './errors.ts';
import { splitInternalRef } from './refs.ts';
import type { ObjectStore, StoredObject } from './store.ts';

type Json = Record<string, unknown>;

const NO_FREE_IP = 'No available free IPs';

function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

interface Range {
  begin: number;
  end: number;
}

function addrOf(v: unknown): string | undefined {
  const a = (v as { addr?: unknown } | undefined)?.addr;
  return typeof a === 'string' ? a : undefined;
}

/** The VIP ranges of a network's IPv4 subnets (static VIP ranges, or the subnet's host addresses). */
export function vipRanges(network: StoredObject, subnetFilter?: { addr: string; mask: number }): Range[] {
  const ranges: Range[] = [];
  const subnets = (network.body.configured_subnets as Json[] | undefined) ?? [];
  for (const s of subnets) {
    const prefix = s.prefix as { ip_addr?: { addr?: string; type?: string }; mask?: number } | undefined;
    const base = prefix?.ip_addr?.addr ? ipToInt(prefix.ip_addr.addr) : undefined;
    const mask = prefix?.mask;
    if (base === undefined || typeof mask !== 'number' || mask < 0 || mask > 32) continue;
    if (subnetFilter && (subnetFilter.mask !== mask || ipToInt(subnetFilter.addr) !== base)) continue;
    const staticRanges = ((s.static_ip_ranges as Json[] | undefined) ?? []).filter(
      (r) => (r.type ?? 'STATIC_IPS_FOR_VIP_AND_SE') !== 'STATIC_IPS_FOR_SE',
    );
    if (staticRanges.length > 0) {
      for (const r of staticRanges) {
        const range = r.range as { begin?: unknown; end?: unknown } | undefined;
        const b = ipToInt(addrOf(range?.begin) ?? '');
        const e = ipToInt(addrOf(range?.end) ?? '');
        if (b !== undefined && e !== undefined && b <= e) ranges.push({ begin: b, end: e });
      }
    } else {
      const size = 2 ** (32 - mask);
      const net = base - (base % size);
      if (size > 2) ranges.push({ begin: net + 1, end: net + size - 2 });
    }
  }
  return ranges;
}

function addressesInUse(store: ObjectStore, exceptUuid: string | undefined): Set<string> {
  const used = new Set<string>();
  for (const o of store.ofType('vsvip')) {
    if (o.uuid === exceptUuid) continue;
    for (const vip of (o.body.vip as Json[] | undefined) ?? []) {
      const a = addrOf(vip.ip_address);
      if (a) used.add(a);
    }
  }
  return used;
}

export interface VipContext {
  store: ObjectStore;
  /** The network used when a VIP names none (the simulator's VIP network). */
  defaultNetwork: () => StoredObject | undefined;
  /** Probe from a position derived from this key (the VsVip's name) instead of the range's start. */
  startAt?: string;
}

function offsetFor(key: string, size: number): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(key, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h % size;
}

/**
 * Gives every auto-allocated VIP of a VsVip an address, synchronously, as a controller's IPAM does:
 * an update keeps the address a VIP already had (same vip_id); a new one gets the next free address of
 * its network. Changing the vip_ids of an existing VsVip is refused like a controller refuses it.
 */
export function allocateVips(ctx: VipContext, uuid: string, body: Json, previous: Json | undefined): Json {
  const vips = body.vip as Json[] | undefined;
  if (!Array.isArray(vips)) return body;
  const prevVips = (previous?.vip as Json[] | undefined) ?? [];
  if (previous && prevVips.length > 0 && vips.length > 0) {
    const before = new Set(prevVips.map((v) => String(v.vip_id)));
    const after = new Set(vips.map((v) => String(v.vip_id)));
    const removed = [...before].some((id) => !after.has(id));
    const added = [...after].some((id) => !before.has(id));
    if (removed && added) {
      throw new ApiError(
        400,
        "Changing an existing VIP's vip_id is not supported. If a new preferred IP is needed, please recreate the VIP",
      );
    }
  }
  const used = addressesInUse(ctx.store, uuid);
  const out = vips.map((vip) => {
    const v = { ...vip };
    if (v.auto_allocate_ip !== true || addrOf(v.ip_address)) {
      const a = addrOf(v.ip_address);
      if (a) used.add(a);
      return v;
    }
    const prev = prevVips.find((p) => String(p.vip_id) === String(v.vip_id) && addrOf(p.ip_address));
    if (prev) {
      v.ip_address = prev.ip_address;
      if (prev.avi_allocated_vip !== undefined) v.avi_allocated_vip = prev.avi_allocated_vip;
      return v;
    }
    const type = (v.auto_allocate_ip_type as string | undefined) ?? 'V4_ONLY';
    if (type === 'V6_ONLY') throw new ApiError(400, NO_FREE_IP);
    const subnetSpec = v.ipam_network_subnet as { network_ref?: string; subnet?: Json } | undefined;
    const netRef = subnetSpec?.network_ref ? splitInternalRef(subnetSpec.network_ref) : undefined;
    const network = netRef ? ctx.store.get(netRef.uuid) : ctx.defaultNetwork();
    if (!network) throw new ApiError(400, NO_FREE_IP);
    const sub = subnetSpec?.subnet as { ip_addr?: { addr?: string }; mask?: number } | undefined;
    const filter =
      sub?.ip_addr?.addr && typeof sub.mask === 'number' ? { addr: sub.ip_addr.addr, mask: sub.mask } : undefined;
    for (const r of vipRanges(network, filter)) {
      const size = r.end - r.begin + 1;
      const offset = ctx.startAt !== undefined ? offsetFor(ctx.startAt, size) : 0;
      for (let i = 0; i < size; i++) {
        const n = r.begin + ((offset + i) % size);
        const ip = intToIp(n);
        if (used.has(ip)) continue;
        used.add(ip);
        v.ip_address = { addr: ip, type: 'V4' };
        v.avi_allocated_vip = true;
        return v;
      }
    }
    throw new ApiError(400, NO_FREE_IP);
  });
  return { ...body, vip: out };
}
