'use client';
import { Menu } from 'lucide-react';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Sheet, SheetContent, SheetDescription, SheetTitle, SheetTrigger } from '@/components/ui/sheet';
import { Brand } from './brand';
import type { NavPlugin } from './nav-items';
import { NavLinks } from './nav-links';

/** The phone's menu button and the sheet it opens; following a link closes it. */
export function MobileNav({ plugins }: { plugins: readonly NavPlugin[] }) {
  const [open, setOpen] = useState(false);
  return (
    <Sheet open={open} onOpenChange={setOpen}>
      <SheetTrigger asChild>
        <Button variant="ghost" size="icon" aria-label="Open menu">
          <Menu />
        </Button>
      </SheetTrigger>
      <SheetContent aria-describedby={undefined}>
        <SheetTitle className="sr-only">Menu</SheetTitle>
        <SheetDescription className="sr-only">Pages of Visage</SheetDescription>
        <div className="flex h-14 items-center px-6">
          <Brand />
        </div>
        <div className="flex-1 overflow-y-auto pb-6">
          <NavLinks plugins={plugins} onNavigate={() => setOpen(false)} />
        </div>
      </SheetContent>
    </Sheet>
  );
}
