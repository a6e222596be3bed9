export interface MacOsVersion {
  productName: string;
  productVersion: string;
  buildVersion: string;
}

/** Parses `sw_vers` output ("ProductName:\tmacOS" lines). */
export function parseSwVers(output: string): MacOsVersion {
  const fields = new Map<string, string>();
  for (const line of output.split(/\r?\n/)) {
    const match = /^\s*(\w+):\s*(.*?)\s*$/.exec(line);
    if (match?.[1] && match[2] !== undefined) fields.set(match[1], match[2]);
  }
  const productVersion = fields.get('ProductVersion');
  if (!productVersion) throw new Error(`sw_vers: no ProductVersion in output "${output.trim()}"`);
  return {
    productName: fields.get('ProductName') ?? 'macOS',
    productVersion,
    buildVersion: fields.get('BuildVersion') ?? '',
  };
}
