'use client';
import { ChevronsLeftRight } from 'lucide-react';
import { type KeyboardEvent, type PointerEvent, useRef, useState } from 'react';
import { cn } from '@/lib/utils';

/**
 * Before/after of two same-shaped images: the "after" covers the box and is cut at the handle.
 * The handle is a slider (arrows move 1 %, Shift+arrows or Page keys 10 %, Home/End the ends);
 * dragging anywhere on the picture moves it too.
 */
export function CompareSlider({
  before,
  after,
  beforeLabel = 'Before',
  afterLabel = 'After',
  label = 'Compare before and after',
  className,
}: {
  before: { src: string; alt: string };
  after: { src: string; alt: string };
  beforeLabel?: string;
  afterLabel?: string;
  label?: string;
  className?: string;
}) {
  const [value, setValue] = useState(50);
  const box = useRef<HTMLDivElement>(null);
  const dragging = useRef(false);
  const clamp = (v: number) => Math.min(100, Math.max(0, v));

  const moveTo = (clientX: number) => {
    const rect = box.current?.getBoundingClientRect();
    if (rect && rect.width > 0) setValue(clamp(((clientX - rect.left) / rect.width) * 100));
  };
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    dragging.current = true;
    e.currentTarget.setPointerCapture(e.pointerId);
    moveTo(e.clientX);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const big = e.shiftKey ? 10 : 1;
    const step: Record<string, number> = {
      ArrowLeft: -big,
      ArrowDown: -big,
      ArrowRight: big,
      ArrowUp: big,
      PageDown: -10,
      PageUp: 10,
      Home: -100,
      End: 100,
    };
    const delta = step[e.key];
    if (delta === undefined) return;
    e.preventDefault();
    setValue((v) => clamp(Math.round(v + delta)));
  };
  const shown = Math.round(value);

  return (
    <div
      ref={box}
      className={cn('relative size-full touch-none overflow-hidden select-none', className)}
      onPointerDown={onPointerDown}
      onPointerMove={(e) => dragging.current && moveTo(e.clientX)}
      onPointerUp={() => {
        dragging.current = false;
      }}
    >
      <img
        src={before.src}
        alt={before.alt}
        draggable={false}
        className="absolute inset-0 size-full object-contain"
      />
      <img
        src={after.src}
        alt={after.alt}
        draggable={false}
        className="absolute inset-0 size-full object-contain"
        style={{ clipPath: `inset(0 0 0 ${value}%)` }}
      />
      <span className="pointer-events-none absolute top-2 left-2 rounded bg-black/60 px-1.5 py-0.5 text-xs font-medium text-white">
        {beforeLabel}
      </span>
      <span className="pointer-events-none absolute top-2 right-2 rounded bg-black/60 px-1.5 py-0.5 text-xs font-medium text-white">
        {afterLabel}
      </span>
      <div
        className="pointer-events-none absolute inset-y-0 w-0.5 -translate-x-1/2 bg-white shadow-[0_0_0_1px_rgba(0,0,0,0.3)]"
        style={{ left: `${value}%` }}
      />
      <div
        role="slider"
        tabIndex={0}
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={shown}
        aria-valuetext={`${100 - shown}% ${afterLabel.toLowerCase()} shown`}
        aria-orientation="horizontal"
        onKeyDown={onKeyDown}
        className="absolute top-1/2 flex size-9 -translate-x-1/2 -translate-y-1/2 cursor-ew-resize items-center justify-center rounded-full border-2 border-white bg-black/60 text-white shadow-md focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2"
        style={{ left: `${value}%` }}
      >
        <ChevronsLeftRight className="size-4" aria-hidden="true" />
      </div>
    </div>
  );
}
