export {
  type Accelerator,
  type DetectOptions,
  type DeviceInfo,
  describeDevice,
  detectDevice,
  type RunCommand,
} from './detect.ts';
export { type MacOsVersion, parseSwVers } from './macos.ts';
export { NVIDIA_SMI_ARGS, type NvidiaGpu, parseNvidiaSmiCsv } from './nvidia.ts';
export {
  type BudgetSettings,
  type DeviceChoice,
  DeviceUnavailableError,
  PROVIDER_CHAINS,
  type Precision,
  type ProviderName,
  type ProviderOption,
  providerOption,
  type SelectedDevice,
  selectDevice,
} from './select.ts';
