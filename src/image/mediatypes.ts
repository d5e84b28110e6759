// Media types and JSON shapes of the OCI image spec and Docker's schema2, the two formats a
// registry serves today. Schema1 is only named so that it can be refused by name.

export const MediaType = {
  OCIManifest: 'application/vnd.oci.image.manifest.v1+json',
  OCIIndex: 'application/vnd.oci.image.index.v1+json',
  OCIConfig: 'application/vnd.oci.image.config.v1+json',
  OCILayer: 'application/vnd.oci.image.layer.v1.tar',
  OCILayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OCILayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OCILayerNonDistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  OCILayerNonDistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  OCILayerNonDistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  OCIEmpty: 'application/vnd.oci.empty.v1+json',

  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  DockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  DockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** What a pull asks for, in order of preference (c/image sends the same set). */
export const ACCEPT_MANIFEST_TYPES: readonly string[] = [
  MediaType.OCIIndex,
  MediaType.DockerManifestList,
  MediaType.OCIManifest,
  MediaType.DockerManifest,
];

export function isIndexType(mt: string): boolean {
  return mt === MediaType.OCIIndex || mt === MediaType.DockerManifestList;
}

export function isManifestType(mt: string): boolean {
  return mt === MediaType.OCIManifest || mt === MediaType.DockerManifest;
}

export type LayerCompression = 'none' | 'gzip' | 'zstd';

/** Compression of a layer blob by its media type; undefined for a type that is not a layer. */
export function layerCompression(mt: string): LayerCompression | undefined {
  switch (mt) {
    case MediaType.OCILayer:
    case MediaType.OCILayerNonDistributable:
      return 'none';
    case MediaType.OCILayerGzip:
    case MediaType.OCILayerNonDistributableGzip:
    case MediaType.DockerLayerGzip:
    case MediaType.DockerForeignLayerGzip:
      return 'gzip';
    case MediaType.OCILayerZstd:
    case MediaType.OCILayerNonDistributableZstd:
      return 'zstd';
    default:
      return undefined;
  }
}

/** Foreign / non-distributable layers live at `urls`, not in the registry. */
export function isForeignLayer(mt: string): boolean {
  return mt === MediaType.DockerForeignLayerGzip || mt.startsWith('application/vnd.oci.image.layer.nondistributable.');
}

/**
 * The media type of a manifest body whose Content-Type was missing or generic, the way
 * c/image's GuessMIMEType does: the mediaType field, else the shape of the document.
 */
export function guessManifestType(body: Buffer | string): string | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(typeof body === 'string' ? body : body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  if (typeof doc.mediaType === 'string' && doc.mediaType !== '') return doc.mediaType;
  if (doc.schemaVersion === 1) return 'signatures' in doc ? MediaType.DockerSchema1Signed : MediaType.DockerSchema1;
  if (Array.isArray(doc.manifests)) return MediaType.OCIIndex;
  if (typeof doc.config === 'object' && doc.config !== null) {
    const cfgType = (doc.config as { mediaType?: unknown }).mediaType;
    return cfgType === MediaType.DockerConfig ? MediaType.DockerManifest : MediaType.OCIManifest;
  }
  return undefined;
}

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
  features?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
  data?: string;
}

/** An image manifest: OCI v1 or Docker schema2 (same shape). */
export interface Manifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** An OCI image index or a Docker manifest list (same shape). */
export interface Index {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  empty_layer?: boolean;
  comment?: string;
  author?: string;
}

export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
  OnBuild?: string[] | null;
  Shell?: string[];
}

/** The OCI image configuration (Docker's is a superset of it; its extra fields are kept as-is). */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
  config?: ContainerConfig;
  rootfs: { type: 'layers' | string; diff_ids: string[] };
  history?: HistoryEntry[];
  [extra: string]: unknown;
}
