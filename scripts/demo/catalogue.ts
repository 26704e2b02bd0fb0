// The demo shop: an outdoor store with 20 products in 5 categories, related to each other
// (cross-sells across categories, upsells within one) so post-purchase emails have something to
// suggest. Two products start sold out, for the back-in-stock journey.

export interface RelatedProduct {
  id: string;
  kind: 'cross-sell' | 'upsell';
}

/** A product as POST /v1/products takes it. */
export interface Product {
  id: string;
  name: string;
  price: number;
  currency: string;
  category: string;
  url: string;
  imageUrl: string;
  inStock: boolean;
  related: RelatedProduct[];
}

export const CURRENCY = 'EUR';
const SHOP = 'https://shop.example';

type Row = [id: string, name: string, price: number, cross: string[], upsell?: string[]];

const CATEGORIES: Record<string, Row[]> = {
  shoes: [
    ['trail-runner', 'Trail Runner', 119.9, ['merino-socks', 'hip-pack', 'water-bottle'], ['trail-runner-pro']],
    ['trail-runner-pro', 'Trail Runner Pro', 169.9, ['merino-socks', 'hip-pack']],
    ['hiking-boot', 'Ridge Hiking Boot', 189, ['merino-socks', 'backpack-45']],
    ['city-sneaker', 'City Sneaker', 89.9, ['merino-socks'], ['trail-runner']],
  ],
  jackets: [
    ['rain-shell', 'Storm Rain Shell', 149, ['beanie', 'daypack-20'], ['down-jacket']],
    ['down-jacket', 'Summit Down Jacket', 279, ['beanie', 'fleece']],
    ['fleece', 'Alpine Fleece', 79.9, ['beanie'], ['down-jacket', 'softshell']],
    ['softshell', 'Windbreaker Softshell', 129, ['beanie', 'daypack-20']],
  ],
  bags: [
    ['daypack-20', 'Daypack 20 L', 69.9, ['water-bottle', 'headlamp'], ['backpack-45']],
    ['backpack-45', 'Trek Backpack 45 L', 159, ['dry-bag', 'headlamp', 'sleeping-bag']],
    ['hip-pack', 'Hip Pack', 34.9, ['water-bottle']],
    ['dry-bag', 'Dry Bag 10 L', 24.9, ['backpack-45']],
  ],
  camping: [
    ['tent-2p', 'Ultralight Tent 2P', 349, ['sleeping-bag', 'sleeping-mat', 'camp-stove']],
    ['sleeping-bag', 'Three-Season Sleeping Bag', 139, ['sleeping-mat', 'headlamp']],
    ['sleeping-mat', 'Inflatable Sleeping Mat', 89, ['sleeping-bag'], ['tent-2p']],
    ['camp-stove', 'Camp Stove', 59.9, ['headlamp', 'water-bottle']],
  ],
  accessories: [
    ['merino-socks', 'Merino Hiking Socks', 19.9, ['beanie']],
    ['headlamp', 'Headlamp 400', 39.9, ['camp-stove']],
    ['water-bottle', 'Insulated Bottle 750 ml', 29.9, ['hip-pack']],
    ['beanie', 'Merino Beanie', 24.9, ['merino-socks']],
  ],
};

/** Sold out when the demo starts; restocked near its end. */
export const SOLD_OUT = ['down-jacket', 'tent-2p'];

export function catalogue(): Product[] {
  return Object.entries(CATEGORIES).flatMap(([category, rows]) =>
    rows.map(([id, name, price, cross, upsell = []]) => ({
      id,
      name,
      price,
      currency: CURRENCY,
      category,
      url: `${SHOP}/p/${id}`,
      // A stable placeholder picture per product, so the emails in the inbox look like emails.
      imageUrl: `https://picsum.photos/seed/journeys-${id}/600/600`,
      inStock: !SOLD_OUT.includes(id),
      related: [
        ...upsell.map((r) => ({ id: r, kind: 'upsell' as const })),
        ...cross.map((r) => ({ id: r, kind: 'cross-sell' as const })),
      ],
    })),
  );
}

export function categories(products: readonly Product[]): string[] {
  return [...new Set(products.map((p) => p.category))];
}

/** Segment's product properties (E-commerce Spec v2) for one product, as events carry them. */
export function productProperties(product: Product, quantity?: number): Record<string, unknown> {
  return {
    product_id: product.id,
    sku: product.id.toUpperCase(),
    name: product.name,
    category: product.category,
    price: product.price,
    currency: product.currency,
    url: product.url,
    image_url: product.imageUrl,
    ...(quantity === undefined ? {} : { quantity }),
  };
}
