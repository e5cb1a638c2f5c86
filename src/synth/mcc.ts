/**
 * ISO 18245 merchant category codes used by the generator, with their official descriptions
 * (as published in the Visa/Mastercard MCC lists). The dbt project mirrors this table in a seed;
 * profiles may only use codes listed here, so every merchant_category in the warehouse resolves.
 */
export const MCC_CATEGORIES: Readonly<Record<string, string>> = Object.freeze({
  '4111': 'Local and Suburban Commuter Passenger Transportation, including Ferries',
  '4121': 'Taxicabs and Limousines',
  '4511': 'Airlines, Air Carriers',
  '4814': 'Telecommunication Services',
  '4899': 'Cable, Satellite, and Other Pay Television and Radio Services',
  '4900': 'Utilities - Electric, Gas, Water, Sanitary',
  '5200': 'Home Supply Warehouse Stores',
  '5311': 'Department Stores',
  '5411': 'Grocery Stores, Supermarkets',
  '5541': 'Service Stations',
  '5651': 'Family Clothing Stores',
  '5732': 'Electronics Stores',
  '5812': 'Eating Places, Restaurants',
  '5813': 'Drinking Places (Alcoholic Beverages), Bars, Taverns, Nightclubs',
  '5814': 'Fast Food Restaurants',
  '5815': 'Digital Goods Media - Books, Movies, Music',
  '5816': 'Digital Goods - Games',
  '5912': 'Drug Stores and Pharmacies',
  '5942': 'Book Stores',
  '5944': 'Jewelry Stores, Watches, Clocks, and Silverware Stores',
  '5999': 'Miscellaneous and Specialty Retail Stores',
  '6011': 'Automated Cash Disbursements',
  '6300': 'Insurance Sales, Underwriting, and Premiums',
  '7011': 'Lodging - Hotels, Motels, Resorts',
  '7832': 'Motion Picture Theaters',
  '7997': 'Membership Clubs (Sports, Recreation, Athletic), Country Clubs, and Private Golf Courses',
  '9311': 'Tax Payments',
});
