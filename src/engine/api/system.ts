// The system verbs as the engine serves them (podman's entities.ContainerEngine System* methods).

export interface SystemEngine {
  /** podman's info document (host, store, registries, version) */
  systemInfo(): Promise<Record<string, unknown>>;
  /** the client version document; needs no store */
  systemVersion(): Promise<Record<string, unknown>>;
  /** restart the rootless user namespace (after a /etc/subuid change); nothing for root */
  systemMigrate(): Promise<void>;
  /** remove every container, image, volume and tsman's storage directories */
  systemReset(): Promise<void>;
}
