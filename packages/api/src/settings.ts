// Instance settings an admin changes at run time (AppSetting rows).
import type { Db } from '@visage/db';

const SIGNUP_OPEN = 'signupOpen';

export async function isSignupOpen(db: Db): Promise<boolean> {
  const row = await db.appSetting.findUnique({ where: { key: SIGNUP_OPEN } });
  return row?.value === true;
}

export async function setSignupOpen(db: Db, open: boolean): Promise<void> {
  await db.appSetting.upsert({
    where: { key: SIGNUP_OPEN },
    create: { key: SIGNUP_OPEN, value: open },
    update: { value: open },
  });
}
