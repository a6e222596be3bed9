// Open licences several model sets cite; licences of one model family (InsightFace, S-Lab, Wan…)
// live with the set that uses them.
import type { ModelLicence } from './schema.ts';

export const OPEN_LICENCES = {
  mit: { name: 'MIT', commercialUse: true, url: 'https://opensource.org/license/mit' },
  apache2: { name: 'Apache-2.0', commercialUse: true, url: 'https://www.apache.org/licenses/LICENSE-2.0' },
  gpl3: { name: 'GPL-3.0', commercialUse: true, url: 'https://www.gnu.org/licenses/gpl-3.0.html' },
} as const satisfies Record<string, ModelLicence>;
