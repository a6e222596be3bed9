'use client';
import { Check, Copy } from 'lucide-react';
import { useEffect, useState } from 'react';
import { toast } from 'sonner';
import { Button } from './button';

/**
 * Copies `value` to the clipboard. navigator.clipboard exists only in secure contexts, and a
 * self-hosted Visage is often reached over plain http on a LAN, so it falls back to execCommand.
 */
export async function copyText(value: string): Promise<boolean> {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(value);
      return true;
    }
  } catch (error) {
    // Permission denied (or an insecure context): the old way below usually still works.
    console.warn('Visage: the clipboard API refused; copying with execCommand instead', error);
  }
  const area = document.createElement('textarea');
  area.value = value;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  return copied;
}

export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <Button
      variant="ghost"
      size="icon"
      className="size-8"
      aria-label={label}
      onClick={async () => {
        if (await copyText(value)) setCopied(true);
        else toast.error('Could not copy: select the text and copy it by hand');
      }}
    >
      {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
    </Button>
  );
}
