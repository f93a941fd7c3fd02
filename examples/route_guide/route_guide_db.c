/*
 * The feature database of the route_guide example.
 *
 * Public landmarks around New York and New Jersey with approximate
 * positions, written for this example (the gRPC tutorial reads a similar
 * list from route_guide_db.json). Most lie inside the rectangle the client
 * lists (latitude 40..42, longitude -75..-73); a few lie outside on purpose.
 */
#include "route_guide_db.h"

#define E7(degrees) ((int32_t)((degrees)*1e7 + ((degrees) < 0 ? -0.5 : 0.5)))

const route_guide_place route_guide_db[] = {
    {"Statue of Liberty, Liberty Island, New York, NY", E7(40.689247),
     E7(-74.044502)},
    {"Ellis Island, New York, NY", E7(40.699475), E7(-74.039560)},
    {"Empire State Building, 350 5th Avenue, New York, NY", E7(40.748817),
     E7(-73.985428)},
    {"Grand Central Terminal, New York, NY", E7(40.752726), E7(-73.977229)},
    {"Brooklyn Bridge, New York, NY", E7(40.706086), E7(-73.996864)},
    {"Bethesda Fountain, Central Park, New York, NY", E7(40.774036),
     E7(-73.970913)},
    {"Yankee Stadium, Bronx, NY", E7(40.829659), E7(-73.926186)},
    {"Bronx Zoo, Bronx, NY", E7(40.850600), E7(-73.876900)},
    {"New York Botanical Garden, Bronx, NY", E7(40.862300), E7(-73.880000)},
    {"Unisphere, Flushing Meadows, Queens, NY", E7(40.746200), E7(-73.844800)},
    {"John F. Kennedy International Airport, Queens, NY", E7(40.641300),
     E7(-73.778100)},
    {"Coney Island Boardwalk, Brooklyn, NY", E7(40.575500), E7(-73.970700)},
    {"Jones Beach, Wantagh, NY", E7(40.595900), E7(-73.509400)},
    {"Sagamore Hill, Oyster Bay, NY", E7(40.885500), E7(-73.498600)},
    {"Fire Island Lighthouse, Bay Shore, NY", E7(40.632300), E7(-73.218700)},
    {"Montauk Point Lighthouse, Montauk, NY", E7(41.070900), E7(-71.857100)},
    {"Hudson River Museum, Yonkers, NY", E7(40.956700), E7(-73.895000)},
    {"Lyndhurst, Tarrytown, NY", E7(41.058000), E7(-73.865400)},
    {"Sleepy Hollow Cemetery, Sleepy Hollow, NY", E7(41.095200),
     E7(-73.863600)},
    {"Kykuit, Sleepy Hollow, NY", E7(41.092300), E7(-73.847500)},
    {"Bear Mountain, Bear Mountain State Park, NY", E7(41.312600),
     E7(-74.006800)},
    {"United States Military Academy, West Point, NY", E7(41.391500),
     E7(-73.956500)},
    {"Storm King Art Center, New Windsor, NY", E7(41.425400), E7(-74.059700)},
    {"Walkway Over the Hudson, Poughkeepsie, NY", E7(41.711300),
     E7(-73.944600)},
    {"Vanderbilt Mansion, Hyde Park, NY", E7(41.796000), E7(-73.942000)},
    {"Mohonk Mountain House, New Paltz, NY", E7(41.768700), E7(-74.155700)},
    {"Minnewaska State Park Preserve, Kerhonkson, NY", E7(41.732200),
     E7(-74.236600)},
    {"Old Dutch Church, Kingston, NY", E7(41.931600), E7(-74.019800)},
    {"Bethel Woods Center for the Arts, Bethel, NY", E7(41.701000),
     E7(-74.880100)},
    {"High Point Monument, High Point State Park, Sussex, NJ", E7(41.320900),
     E7(-74.661500)},
    {"Delaware Water Gap, Columbia, NJ", E7(40.969800), E7(-75.142400)},
    {"Great Falls, Paterson, NJ", E7(40.916500), E7(-74.181000)},
    {"MetLife Stadium, East Rutherford, NJ", E7(40.813500), E7(-74.074500)},
    {"Hoboken Terminal, Hoboken, NJ", E7(40.735000), E7(-74.027500)},
    {"Liberty State Park, Jersey City, NJ", E7(40.703300), E7(-74.055000)},
    {"Newark Penn Station, Newark, NJ", E7(40.734400), E7(-74.164300)},
    {"Newark Liberty International Airport, Newark, NJ", E7(40.689500),
     E7(-74.174500)},
    {"Thomas Edison National Historical Park, West Orange, NJ", E7(40.783500),
     E7(-74.233500)},
    {"Ford Mansion, Morristown, NJ", E7(40.797600), E7(-74.471600)},
    {"Great Swamp National Wildlife Refuge, Basking Ridge, NJ", E7(40.704500),
     E7(-74.491400)},
    {"Nassau Hall, Princeton University, Princeton, NJ", E7(40.348700),
     E7(-74.659300)},
    {"New Jersey State House, Trenton, NJ", E7(40.220400), E7(-74.769700)},
    {"Washington Crossing State Park, Titusville, NJ", E7(40.300000),
     E7(-74.870000)},
    {"Sandy Hook Lighthouse, Highlands, NJ", E7(40.461700), E7(-73.997700)},
    {"Convention Hall, Asbury Park, NJ", E7(40.220600), E7(-73.998500)},
    {"Six Flags Great Adventure, Jackson, NJ", E7(40.137400), E7(-74.440200)},
    {"Batsto Village, Wharton State Forest, Hammonton, NJ", E7(39.642600),
     E7(-74.646300)},
    {"Boardwalk Hall, Atlantic City, NJ", E7(39.354700), E7(-74.439200)},
    {"Cape May Lighthouse, Cape May Point, NJ", E7(38.933200), E7(-74.960000)},
    {"Independence Hall, Philadelphia, PA", E7(39.948900), E7(-75.150000)},
};

const size_t route_guide_db_count =
    sizeof route_guide_db / sizeof route_guide_db[0];

const route_guide_place *route_guide_db_find(int32_t latitude,
                                             int32_t longitude) {
  for (size_t i = 0; i < route_guide_db_count; i++) {
    if (route_guide_db[i].latitude == latitude &&
        route_guide_db[i].longitude == longitude) {
      return &route_guide_db[i];
    }
  }
  return NULL;
}
