import { loadPlatformConfig } from "./program/config";
import { liveEnvironment } from "./program/environment";
import { deployPlatform } from "./program/platform";

// Entry point: config → platform → stack outputs. Nothing else belongs here.
export = async () => deployPlatform(loadPlatformConfig(), liveEnvironment);
