// The system verbs as the engine serves them (podman's entities.ContainerEngine System* methods).

export interface SystemEngine {
  /** restart the rootless user namespace (after a /etc/subuid change); nothing for root */
  systemMigrate(): Promise<void>;
  /** remove every container, image, volume and tsman's storage directories */
  systemReset(): Promise<void>;
}
