import { z } from '../zod-jitless.ts';
import { channel } from './define.ts';
import { AppInfoSchema } from './models.ts';

export const appChannels = {
  'app.info': channel(z.object({}), AppInfoSchema, 'Version and where app data lives.'),
} as const;
