/** Ports `start` listens on when not told otherwise (tests pass 0 for free ports). */
export const DEFAULT_DEV_CLUSTER_PORT = 18080;
export const DEFAULT_AVI_SIM_PORT = 18443;
export const DEFAULT_STATUS_PORT = 18081;
export const DEFAULT_STATUS_URL = `http://127.0.0.1:${DEFAULT_STATUS_PORT}`;
