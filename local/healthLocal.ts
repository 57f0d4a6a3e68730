/**
 * LOCAL ONLY. What the emulator (moto 5.2.1) does not report, as the health checks take it:
 * distribution configs come back without `OriginAccessControlId`, so a missing OAC id is a
 * warning there. Only the CLI imports this; the health library knows no emulator.
 */
import type { KnownGaps } from '../functions/health/check.js';

export const EMULATOR_GAPS: KnownGaps = Object.freeze({
  originAccessControl: Object.freeze({
    detail: 'not reported by the emulator (moto drops OriginAccessControlId)',
    fix: 'nothing to do locally; on AWS this check is exact',
  }),
  eventBridgeDelivery: Object.freeze({
    detail: 'not reported by the emulator (moto leaves EventBridgeConfiguration out)',
  }),
});
