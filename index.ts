import { loadPlatformConfig } from "./stacks/config";
import { liveEnvironment } from "./stacks/environment";
import { deployPlatform } from "./stacks/platform";

// Entry point: config → platform → stack outputs. Nothing else belongs here.
export = async () => deployPlatform(loadPlatformConfig(), liveEnvironment);
