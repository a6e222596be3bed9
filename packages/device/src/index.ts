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
